package ai.kiku.api.redis;

import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.redis.LuaScript;
import ai.kiku.common.redis.RedisSettings;
import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.RedisSentinels;
import ai.kiku.devstack.RedisServers;
import ai.kiku.devstack.RedisStandalone;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pinned hot-path client in {@code kiku.redis.mode} standalone, sentinel and cluster, with a password and TLS: its own
 * connection serves (the shared client it falls back to points nowhere here), has the metering scripts loaded, and
 * follows a Sentinel failover to the new primary (once the old one drops its clients; in production also at the
 * next renewal, {@code kiku.api.redis-connection-renew}).
 */
class PinnedRedisModesTest {

    private Vertx vertx;
    private Context loop;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
    }

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldPinAnAuthenticatedConnectionWithTheScriptsToAStandaloneServer() throws Exception {
        RedisStandalone redis = RedisStandalone.shared();
        PinnedRedis pinned = pinned(redis, 60_000);

        assertThat(onLoop(() -> pinned.send(Request.cmd(Command.SET).arg("kiku:{p01}:pinned").arg("standalone"))))
                .hasToString("OK");

        assertThat(redis.call("GET", "kiku:{p01}:pinned")).isEqualTo("standalone");
        assertThat(onLoop(() -> Future.succeededFuture(pinned.now()))).isTrue();
    }

    @Test
    void shouldPinATlsConnectionTrustingTheConfiguredCertificate() throws Exception {
        try (RedisStandalone redis = RedisStandalone.startPrivate("pinned-tls", "tls-secret", true)) {
            PinnedRedis pinned = pinned(redis, 60_000);

            assertThat(onLoop(() -> pinned.send(Request.cmd(Command.SET).arg("kiku:{p02}:pinned").arg("tls"))))
                    .hasToString("OK");

            assertThat(redis.hosts()).startsWith("rediss://");
            assertThat(redis.call("GET", "kiku:{p02}:pinned")).isEqualTo("tls");
        }
    }

    @Test
    void shouldPinATlsConnectionWithThePasswordToEveryMasterOfACluster() throws Exception {
        try (RedisCluster redis = RedisCluster.startPrivate("pinned-secured", "cluster-secret", true)) {
            PinnedRedis pinned = pinned(redis, 60_000);
            assertThat(redis.hosts()).startsWith("rediss://");

            // one key per master (hash tags chosen to land on each): the pinned connection reaches them all
            for (int master : redis.masterPorts()) {
                String key = keyOn(redis, master);
                assertThat(onLoop(() -> pinned.send(Request.cmd(Command.SET).arg(key).arg("secured")))).hasToString("OK");
                assertThat(onLoop(() -> pinned.send(Request.cmd(Command.GET).arg(key)))).hasToString("secured");
            }
            assertThat(onLoop(() -> Future.succeededFuture(pinned.now()))).as("scripts loaded on every node").isTrue();
        }
    }

    private static String keyOn(RedisCluster redis, int master) {
        for (int i = 0; ; i++) {
            String key = "kiku:{s" + i + "}:pinned";
            if (redis.masterPortForKey(key) == master) {
                return key;
            }
        }
    }

    @Test
    void shouldWriteToTheSentinelPrimaryAndFollowAFailover() throws Exception {
        try (RedisSentinels redis = RedisSentinels.startPrivate("pinned-sentinel", "sentinel-secret")) {
            // no renewal during the test: only the failover itself may move the pinned connection
            PinnedRedis pinned = pinned(redis, 600_000);
            String key = "kiku:{p03}:pinned";
            assertThat(onLoop(() -> pinned.send(Request.cmd(Command.SET).arg(key).arg("before")))).hasToString("OK");
            assertThat(redis.call(redis.primaryPort(), "GET", key)).isEqualTo("before");

            int primary = redis.failover();

            // the new primary takes writes once the old one has rejoined as its replica (min-replicas-to-write 1)
            Object onNewPrimary = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (!"after".equals(onNewPrimary) && System.nanoTime() < deadline) {
                try {
                    onLoop(() -> pinned.send(Request.cmd(Command.SET).arg(key).arg("after")));
                } catch (Exception stillFailingOver) {
                    // refused (NOREPLICAS) until the old primary has rejoined as its replica
                }
                onNewPrimary = redis.call(primary, "GET", key);
                Thread.sleep(100);
            }
            assertThat(onNewPrimary).isEqualTo("after");
        }
    }

    @Test
    void shouldLeaveTheOldPrimaryAsSoonAsTheSentinelsAnnounceTheNewOne() throws Exception {
        try (RedisSentinels redis = RedisSentinels.startPrivate("pinned-switch", "sentinel-secret")) {
            PinnedRedis pinned = pinned(redis, 600_000);
            int old = redis.primaryPort();
            assertThat(portOf(pinned)).isEqualTo(String.valueOf(old));

            int primary = redis.failover();

            // the sentinels demote the old primary only 8-20 s later; the pinned connection must not wait for that
            String port = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (!String.valueOf(primary).equals(port) && System.nanoTime() < deadline) {
                try {
                    port = portOf(pinned);
                } catch (Exception reconnecting) {
                    // the announcement closed the old connection under this command
                }
                Thread.sleep(50);
            }
            assertThat(port).isEqualTo(String.valueOf(primary));
            assertThat(String.valueOf(((java.util.List<?>) redis.call(old, "ROLE")).get(0))).as("old primary not yet demoted")
                    .isEqualTo("master");
        }
    }

    /** The port of the server the pinned connection is on. */
    private String portOf(PinnedRedis pinned) throws Exception {
        return String.valueOf(onLoop(() -> pinned.send(Request.cmd(Command.CONFIG).arg("GET").arg("port"))).get("port"));
    }

    private PinnedRedis pinned(RedisServers redis, long renewMillis) {
        RedisOptions options = RedisProducers.hotPathOptions(
                RedisSettings.from(name -> Optional.ofNullable(redis.config().get(name))));
        // a shared client that cannot serve: any answer must come over the pinned connection
        Redis nowhere = Redis.createClient(vertx, "redis://127.0.0.1:1");
        return new PinnedRedis(nowhere, vertx, options, renewMillis,
                MoneyCore.meteringScripts().stream().map(LuaScript::loadRequest).toList());
    }

    private <T> T onLoop(Supplier<Future<T>> command) throws Exception {
        Promise<T> result = Promise.promise();
        loop.runOnContext(v -> command.get().onComplete(result));
        return result.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
