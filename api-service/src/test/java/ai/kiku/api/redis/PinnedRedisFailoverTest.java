package ai.kiku.api.redis;

import ai.kiku.devstack.RedisCluster;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pinned hot-path connection must survive what the pooled client survives: a master dying and
 * its replica taking over. Runs on a private cluster (short node timeout), on a Vert.x event loop as
 * the gateway does.
 */
class PinnedRedisFailoverTest {

    @Test
    void shouldServeAgainAfterTheMasterOfTheKeyFailsOver() throws Exception {
        try (RedisCluster cluster = RedisCluster.startPrivate("pinned-failover")) {
            Vertx vertx = Vertx.vertx();
            try {
                RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
                cluster.nodeUris().forEach(options::addConnectionString);
                Redis shared = Redis.createClient(vertx, new RedisOptions(options));
                PinnedRedis pinned = new PinnedRedis(shared, vertx, options, 5_000, java.util.List.of());
                Context loop = vertx.getOrCreateContext();
                String key = "kiku:{p07}:failover";

                assertThat(onLoop(loop, () -> pinned.send(Request.cmd(Command.SET).arg(key).arg("before"))))
                        .hasToString("OK");
                assertThat(onLoop(loop, () -> pinned.send(Request.cmd(Command.GET).arg(key)))).hasToString("before");

                cluster.killNode(cluster.masterPortForKey(key));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String written = null;
                while (written == null && System.nanoTime() < deadline) {
                    try {
                        written = String.valueOf(onLoop(loop, () -> pinned.send(Request.cmd(Command.SET).arg(key).arg("after"))));
                    } catch (Exception stillFailingOver) {
                        Thread.sleep(200);
                    }
                }
                assertThat(written).isEqualTo("OK");
                assertThat(onLoop(loop, () -> pinned.send(Request.cmd(Command.GET).arg(key)))).hasToString("after");
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Response onLoop(Context loop, Supplier<Future<Response>> command) throws Exception {
        Promise<Response> result = Promise.promise();
        loop.runOnContext(v -> command.get().onComplete(result));
        return result.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
