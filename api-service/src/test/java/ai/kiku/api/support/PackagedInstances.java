package ai.kiku.api.support;

import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.testing.RawHttp;
import ai.kiku.devstack.RedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

import java.io.File;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Several real instances of the packaged gateway (JVMs running target/quarkus-app, each with its own
 * caches and Redis connections) over the harness's one Redis Cluster, with billing's Redis state
 * published by {@link FakeBilling}: what the tests of behaviour across replicas share.
 */
public final class PackagedInstances implements AutoCloseable {

    /** The instances' kiku.api.attempt-token: what an nginx in front of them must be given. */
    public static final String ATTEMPT_TOKEN = "packaged-it-attempt-token";

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TINY_CHAT = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private final List<Instance> instances = new ArrayList<>();
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
        return start(name, count, index -> Map.of());
    }

    /**
     * {@link #start(String, int)} with more system properties for instance N (they win over the defaults),
     * kept when it is {@linkplain #restart restarted}.
     */
    public static PackagedInstances start(String name, int count, IntFunction<Map<String, String>> properties)
            throws Exception {
        PackagedInstances instances = new PackagedInstances();
        try {
            for (int i = 0; i < count; i++) {
                Instance instance = new Instance(name + "-" + i, freePort(), arguments(properties.apply(i)));
                instances.instances.add(instance);
                instance.launch();
            }
            for (Instance instance : instances.instances) {
                awaitReady(instance);
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
        return instances.stream().map(Instance::port).toList();
    }

    public int port(int index) {
        return instances.get(index).port;
    }

    /** The running JVM of instance {@code index}, to signal it ({@code destroy()} is SIGTERM). */
    public Process process(int index) {
        return instances.get(index).process;
    }

    /**
     * SIGTERM to instance {@code index}, then waits for it to exit (killing it after {@code within});
     * its exit code.
     */
    public int stop(int index, Duration within) throws InterruptedException {
        Process process = instances.get(index).process;
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(instances.get(index).name + " did not exit within " + within + " of SIGTERM");
        }
        return process.exitValue();
    }

    /**
     * A rolling restart's step for instance {@code index}: SIGTERM, its exit with code 0 (within a minute),
     * then the same instance again on the same port and properties, once ready.
     */
    public void restart(int index) throws Exception {
        int exit = stop(index, Duration.ofMinutes(1));
        if (exit != 0) {
            throw new IllegalStateException(instances.get(index).name + " exited " + exit + " on SIGTERM");
        }
        Instance instance = instances.get(index);
        instance.launch();
        awaitReady(instance);
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
        instances.forEach(instance -> instance.process.destroy());
        for (Instance instance : instances) {
            try {
                if (!instance.process.waitFor(30, TimeUnit.SECONDS)) {
                    instance.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                instance.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        vertx.close();
    }

    private static List<String> arguments(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.host", "127.0.0.1");
        all.put("kiku.redis.hosts", RedisCluster.shared().hosts());
        all.put("kiku.llm.local.enabled", "true");
        all.put("kiku.api.attempt-token", ATTEMPT_TOKEN);
        all.put("quarkus.log.console.json.enabled", "false");
        all.putAll(properties);
        return all.entrySet().stream().map(property -> "-D" + property.getKey() + "=" + property.getValue()).toList();
    }

    /** One instance: its port and properties stay, its process changes on restart. */
    private static final class Instance {

        private final String name;
        private final int port;
        private final List<String> properties;
        private Process process;

        Instance(String name, int port, List<String> properties) {
            this.name = name;
            this.port = port;
            this.properties = properties;
        }

        int port() {
            return port;
        }

        void launch() throws IOException {
            Path jar = Path.of(System.getProperty("basedir", ".")).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: these tests run after package (failsafe)");
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-Dquarkus.http.port=" + port));
            command.addAll(properties);
            command.addAll(List.of("-jar", jar.toString()));
            File log = jar.getParent().getParent().resolve(name + ".log").toFile();
            Process started = new ProcessBuilder(command).redirectErrorStream(true) // a restart appends to the log
                    .redirectOutput(process == null ? ProcessBuilder.Redirect.to(log) : ProcessBuilder.Redirect.appendTo(log))
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            process = started;
        }
    }

    private static void awaitReady(Instance instance) throws Exception {
        int port = instance.port;
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (!instance.process.isAlive()) {
                throw new IllegalStateException(instance.name + " exited " + instance.process.exitValue()
                        + " while starting; see target/" + instance.name + ".log");
            }
            try {
                // one connection per check, closed after it: a kept-alive one would count as a balancer's to the
                // drain (DrainGate waits for the instance's last connection to close before it exits)
                if (RawHttp.exchange(port, "GET /q/health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(instance.name + " on port " + port + " did not become ready; see target/"
                + instance.name + ".log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
