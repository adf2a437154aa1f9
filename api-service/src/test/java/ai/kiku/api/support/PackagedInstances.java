package ai.kiku.api.support;

import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.testing.RedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

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
import java.util.concurrent.CompletableFuture;

/**
 * Several real instances of the packaged gateway (JVMs running target/quarkus-app, each with its own
 * caches and Redis connections) over the harness's one Redis Cluster, with billing's Redis state
 * published by {@link FakeBilling}: what the tests of behaviour across replicas share.
 */
public final class PackagedInstances implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TINY_CHAT = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final Vertx vertx;
    private final Redis redis;
    private final FakeBilling billing;

    private PackagedInstances() {
        RedisCluster cluster = RedisCluster.shared();
        vertx = Vertx.vertx();
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER).setMaxPoolSize(8).setMaxPoolWaiting(64);
        cluster.nodeUris().forEach(options::addConnectionString);
        redis = Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(vertx), options);
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
    }

    /**
     * Starts {@code count} instances with the local echo model enabled and waits until all are ready;
     * their logs go to target/{@code name}-N.log.
     */
    public static PackagedInstances start(String name, int count) throws Exception {
        PackagedInstances instances = new PackagedInstances();
        try {
            String hosts = RedisCluster.shared().hosts();
            for (int i = 0; i < count; i++) {
                instances.launch(name + "-" + i, freePort(), hosts);
            }
            for (int port : instances.ports) {
                awaitReady(port, name);
            }
            return instances;
        } catch (Exception | Error e) {
            instances.close();
            throw e;
        }
    }

    public FakeBilling billing() {
        return billing;
    }

    /** The test's own client of the cluster, for reading state the instances wrote. */
    public Redis redis() {
        return redis;
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** A metered call that costs the per-request price only: local echo, one tiny message. */
    public static int chat(int port, TestKey key) throws Exception {
        return HTTP.send(chatRequest(port, key), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** {@link #chat} without waiting: the status, once it comes. */
    public static CompletableFuture<Integer> chatAsync(int port, TestKey key) {
        return HTTP.sendAsync(chatRequest(port, key), HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode);
    }

    public static int get(int port, String path, TestKey key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", key.bearer()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest chatRequest(int port, TestKey key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(TINY_CHAT)).build();
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        vertx.close();
    }

    private void launch(String name, int port, String redisHosts) throws IOException {
        Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after package (failsafe)");
        }
        Path log = jar.getParent().getParent().resolve(name + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dquarkus.http.port=" + port, "-Dkiku.redis.hosts=" + redisHosts,
                "-Dkiku.llm.local.enabled=true", "-Dquarkus.log.console.json.enabled=false",
                "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        ports.add(port);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    }

    private static void awaitReady(int port, String name) throws Exception {
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
        throw new IllegalStateException("instance on port " + port + " did not become ready; see target/" + name + "-*.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
