package ai.kiku.api;

import ai.kiku.api.redis.HotPath;
import ai.kiku.api.redis.OrderedWrites;
import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.devstack.RedisSentinels;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway configured with {@code kiku.redis.mode=sentinel}, a master name and a password (application.properties
 * maps them onto the Quarkus client; the pinned hot-path client reads them too): a metered call is charged on the
 * Sentinel primary, and the hot path serves over its own pinned connection, not the pooled fallback.
 */
@QuarkusTest
@WithTestResource(value = ApiTestResource.class, initArgs = @ResourceArg(name = "redis", value = "sentinel"))
class RedisSentinelModeTest extends ApiTestBase {

    @Inject
    @HotPath
    Redis hotPath;

    @Inject
    Vertx vertx;

    @Test
    void shouldChargeAMeteredCallOnTheSentinelPrimary() {
        TestKey key = billing.account(1_000_000, 60);

        as(key).contentType("application/json").body(chat("stub-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Cost-Micros", "5020");

        RedisSentinels sentinels = RedisSentinels.shared();
        assertThat(sentinels.call(sentinels.primaryPort(), "HGET", KeySchema.account(key.accountId()), "balance"))
                .isEqualTo("994980");
    }

    @Test
    void shouldServeTheHotPathOverItsPinnedConnectionWithTheScriptsLoaded() throws Exception {
        io.vertx.redis.client.Redis pinned = hotPath.getDelegate();
        Context loop = vertx.getOrCreateContext();
        boolean ordered = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ordered && System.nanoTime() < deadline) {
            Promise<Boolean> now = Promise.promise();
            loop.runOnContext(v -> pinned.send(Request.cmd(Command.PING))
                    .onComplete(done -> now.complete(((OrderedWrites) pinned).now())));
            ordered = now.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        assertThat(ordered).as("a pinned connection to the primary, scripts loaded").isTrue();
    }
}
