package ai.kiku.api;

import ai.kiku.api.support.FakeBilling;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.testing.RedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.mutiny.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real instances of the packaged gateway (two JVMs running target/quarkus-app, each with its
 * own per-process key cache and Redis connections) against one Redis Cluster: a key revoked the
 * way billing revokes it must be refused by both within one second, and metered calls at once.
 */
class RevocationAcrossInstancesIT {

    private static final List<Process> INSTANCES = new ArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static FakeBilling billing;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        vertx = Vertx.vertx();
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER).setMaxPoolSize(8).setMaxPoolWaiting(64);
        cluster.nodeUris().forEach(options::addConnectionString);
        Redis redis = Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(vertx), options);
        MoneyCore money = new MoneyCore(redis, new MoneyConfig() {
            public Duration holdTtl() {
                return Duration.ofMinutes(15);
            }

            public Duration holdRetention() {
                return Duration.ofHours(24);
            }
        }, new SimpleMeterRegistry());
        billing = new FakeBilling(redis, money);
        billing.publishCatalogue();
        portA = freePort();
        portB = freePort();
        launch("a", portA, cluster.hosts());
        launch("b", portB, cluster.hosts());
        awaitReady(portA);
        awaitReady(portB);
    }

    @AfterAll
    static void stop() {
        INSTANCES.forEach(Process::destroy);
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void shouldRefuseARevokedKeyOnEveryInstanceWithinOneSecond() throws Exception {
        TestKey metered = billing.account(1_000_000, 600);
        TestKey browsing = billing.account(1_000_000, 600);
        for (int port : new int[]{portA, portB}) {
            for (TestKey key : new TestKey[]{metered, browsing}) {
                assertThat(get(port, "/api/v1/products", key)).isEqualTo(200);
                assertThat(get(port, "/api/v1/balance", key)).isEqualTo(200);
                assertThat(chat(port, key)).isEqualTo(200);
            }
        }

        billing.revoke(metered);
        billing.revoke(browsing);
        long revokedAt = System.nanoTime();
        // Both instances still hold "metered" (balance and the proxy reuse a found key for seconds), so
        // these refusals come from peek and reserve, which check the key's status in Redis on every call.
        assertThat(get(portA, "/api/v1/balance", metered)).isEqualTo(401);
        assertThat(chat(portB, metered)).isEqualTo(401);
        assertThat(chat(portA, metered)).isEqualTo(401);
        // Endpoints that check nothing themselves trust a key lookup for ~100 ms only ("browsing" is
        // not touched by any call above that would make an instance forget it).
        for (int port : new int[]{portB, portA}) {
            while (get(port, "/api/v1/products", browsing) != 401) {
                assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
                Thread.sleep(10);
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(billing.balance(metered.accountId())).isEqualTo(1_000_000 - 2 * 1000);
        assertThat(billing.balance(browsing.accountId())).isEqualTo(1_000_000 - 2 * 1000);
    }

    private static int chat(int port, TestKey key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int get(int port, String path, TestKey key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", key.bearer()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void launch(String name, int port, String redisHosts) throws IOException {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        Path log = jar.getParent().getParent().resolve("revocation-it-" + name + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + port, "-Dkiku.redis.hosts=" + redisHosts,
                "-Dkiku.llm.local.enabled=true", "-Dquarkus.log.console.json.enabled=false",
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        INSTANCES.add(process);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    }

    private static void awaitReady(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("instance on port " + port + " did not become ready; see target/revocation-it-*.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
