package ai.kiku.api;

import ai.kiku.api.support.FakeBilling;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.api.support.UpstreamStub;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.testing.RedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to the packaged gateway (a real JVM running target/quarkus-app) while a slow stream runs:
 * readiness turns DOWN at once, the instance keeps serving through the drain delay, the stream
 * finishes and is charged exactly once, no hold stays open, and the process exits 0 in time.
 */
class GracefulShutdownIT {

    private static final long DRAIN_MILLIS = 2_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static FakeBilling billing;
    private static UpstreamStub stub;

    @BeforeAll
    static void harness() {
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
        stub = UpstreamStub.start(0);
    }

    @AfterAll
    static void stop() {
        if (stub != null) {
            stub.close();
        }
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void shouldFinishAndChargeAStreamInFlightWhenTerminatedThenExitZero() throws Exception {
        int port = freePort();
        Process instance = launch(port, DRAIN_MILLIS + "ms", "30s");
        try {
            awaitReady(port);
            TestKey key = billing.account(1_000_000, 600);
            assertThat(send(port, chat("warm up", false), key).statusCode()).isEqualTo(200);
            long balance = billing.balance(key.accountId());
            int recordsBefore = (int) billing.usageRecords(key.accountId());

            CompletableFuture<HttpResponse<String>> stream = HTTP.sendAsync(request(port, chat("#drip slowly", true), key),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.currentTimeMillis() + 20_000;
            while (billing.held(key.accountId()) == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(billing.held(key.accountId())).as("the stream's hold").isPositive();

            long signalled = System.nanoTime();
            instance.destroy(); // SIGTERM
            long readyStatus = 0;
            while (readyStatus != 503 && System.nanoTime() - signalled < TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS)) {
                readyStatus = status(port, "/q/health/ready", null);
            }
            assertThat(readyStatus).as("readiness right after SIGTERM").isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofMillis(DRAIN_MILLIS));
            // still serving through the drain delay: a balancer that has not yet noticed loses nothing
            assertThat(status(port, "/api/v1/balance", key)).isEqualTo(200);
            assertThat(stream).as("the stream (6 s of chunks) still runs").isNotDone();
            // after the drain, new requests are refused while the stream goes on
            Thread.sleep(Math.max(0, DRAIN_MILLIS + 300 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled)));
            assertThat(status(port, "/api/v1/balance", key)).isIn(503, -1);
            assertThat(stream).as("the stream still runs after the drain").isNotDone();

            HttpResponse<String> done = stream.get(60, TimeUnit.SECONDS);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(done.body()).endsWith("data: [DONE]\n\n");
            assertThat(instance.waitFor(30, TimeUnit.SECONDS)).as("exited within kiku.shutdown.timeout").isTrue();
            assertThat(instance.exitValue()).isZero();

            // the usage it reported: 1,000 + 20 prompt tokens + 2,000 completion tokens x 2, charged once
            long[] costs = billing.usageCosts(key.accountId());
            assertThat(costs).hasSize(recordsBefore + 1).endsWith(5020);
            assertThat(billing.balance(key.accountId())).isEqualTo(balance - 5020);
            assertThat(billing.held(key.accountId())).isZero();
        } finally {
            instance.destroyForcibly();
        }
    }

    @Test
    void shouldCutAndChargeACallThatOutlivesTheShutdownTimeoutLeavingNoHoldOpen() throws Exception {
        int port = freePort();
        Process instance = launch(port, "200ms", "1s");
        try {
            awaitReady(port);
            TestKey key = billing.account(1_000_000, 600);
            assertThat(send(port, chat("warm up", false), key).statusCode()).isEqualTo(200);
            long balance = billing.balance(key.accountId());
            int recordsBefore = (int) billing.usageRecords(key.accountId());

            CompletableFuture<HttpResponse<String>> stream = HTTP.sendAsync(request(port, chat("#endless story", true, false), key),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.currentTimeMillis() + 20_000;
            while (billing.held(key.accountId()) == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            long reserved = billing.held(key.accountId());
            assertThat(reserved).as("the stream's hold (stream: %s)", stream.isDone() ? stream.join().body() : "running")
                    .isPositive();

            instance.destroy(); // SIGTERM; the stream never ends by itself
            assertThat(instance.waitFor(30, TimeUnit.SECONDS)).as("exited despite the endless stream").isTrue();
            assertThat(instance.exitValue()).isZero();
            stream.handle((response, failure) -> null).get(10, TimeUnit.SECONDS);

            // cut as at the maximum duration: no usage was reported, so the reservation is charged, once
            assertThat(billing.held(key.accountId())).as("holds left open").isZero();
            assertThat(billing.usageCosts(key.accountId())).hasSize(recordsBefore + 1).endsWith(reserved);
            assertThat(billing.balance(key.accountId())).isEqualTo(balance - reserved);
        } finally {
            instance.destroyForcibly();
        }
    }

    private static String chat(String text, boolean stream) {
        return chat(text, stream, stream);
    }

    private static String chat(String text, boolean stream, boolean includeUsage) {
        return "{\"model\":\"stub-model\"" + (stream ? ",\"stream\":true" : "")
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    private static HttpRequest request(int port, String body, TestKey key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<String> send(int port, String body, TestKey key) throws Exception {
        return HTTP.send(request(port, body, key), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a GET, or -1 when the instance refused the connection. */
    private static int status(int port, String path, TestKey key) throws Exception {
        HttpRequest.Builder get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (key != null) {
            get.header("Authorization", key.bearer());
        }
        try {
            return HTTP.send(get.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException refused) {
            return -1;
        }
    }

    private static Process launch(int port, String drainDelay, String timeout) throws IOException {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        Path log = jar.getParent().getParent().resolve("graceful-shutdown-it-" + port + ".log");
        String stubUrl = "http://127.0.0.1:" + stub.port();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + port, "-Dkiku.redis.hosts=" + RedisCluster.shared().hosts(),
                "-Dkiku.billing.url=" + stubUrl, "-Dkiku.internal.token=test-internal-token",
                "-Dkiku.providers.alpha.base-url=" + stub.baseUrl("alpha"), "-Dkiku.providers.alpha.models=stub-model",
                "-Dkiku.shutdown.drain-delay=" + drainDelay, "-Dkiku.shutdown.timeout=" + timeout,
                "-Dquarkus.log.console.json.enabled=false", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
    }

    private static void awaitReady(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (status(port, "/q/health/ready", null) == 200) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("instance on port " + port + " did not become ready; see target/graceful-shutdown-it-*.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
