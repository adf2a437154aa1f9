package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One redis-server of a {@link RedisCluster}: its directory under the cluster's, its config file and its process. */
final class RedisNode {

    private final Path binary;
    private final Path dir;
    private final int port;
    private final int nodeTimeoutMillis;
    private final boolean daemonize;
    /** Password and TLS lines ({@link ClusterSecurity}). */
    private final List<String> security;

    RedisNode(Path binary, Path clusterDir, int port, int nodeTimeoutMillis, boolean daemonize, List<String> security) {
        this.binary = binary;
        this.dir = clusterDir.resolve("redis-" + port);
        this.port = port;
        this.nodeTimeoutMillis = nodeTimeoutMillis;
        this.daemonize = daemonize;
        this.security = security;
    }

    Path dir() {
        return dir;
    }

    Path pidFile() {
        return dir.resolve("redis.pid");
    }

    Path log() {
        return dir.resolve("redis.log");
    }

    /** Whether the directory holds a node that can be started again with its cluster config. */
    boolean configured() {
        return Files.isRegularFile(dir.resolve("nodes.conf")) && Files.isRegularFile(dir.resolve("redis.conf"));
    }

    Optional<ProcessHandle> process() {
        return Processes.liveProcess(pidFile(), "redis-server");
    }

    boolean running() {
        return process().isPresent();
    }

    /** Stops the process if it runs: SIGTERM ({@code force}: SIGKILL), SIGKILL after {@code grace}. */
    void stop(Duration grace, boolean force) {
        process().ifPresent(ph -> Processes.terminate(ph, grace, force));
    }

    void writeConfig() {
        List<String> lines = new java.util.ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + quote(dir),
                "daemonize " + (daemonize ? "yes" : "no"),
                "pidfile " + quote(pidFile()),
                "logfile " + quote(log()),
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-node-timeout " + nodeTimeoutMillis,
                // a replica may always take over, however long it was disconnected: tests kill nodes at will
                "cluster-replica-validity-factor 0",
                // replicas sync at once instead of waiting 5 s for more replicas to share a diskless transfer
                "repl-diskless-sync-delay 0",
                "appendonly yes",
                "appendfsync everysec",
                "save \"\""));
        lines.addAll(security);
        lines.add("");
        String conf = String.join("\n", lines);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("redis.conf"), conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(Path p) {
        return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Starts redis-server with the written config and waits until it answers and has written its pid file. */
    void launch() {
        Path out = dir.resolve("stdout.log");
        Process p = Processes.launch(List.of(binary.toString(), dir.resolve("redis.conf").toString()), out);
        Poll.until("redis-server on port " + port, Duration.ofSeconds(30), () -> {
            if (!daemonize && !p.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + p.exitValue());
            }
            return ping(port);
        }, () -> "--- " + out + " ---\n" + Processes.tail(out, 20) + "\n--- redis.log ---\n" + Processes.tail(log(), 30));
        Poll.until("pid file of redis " + port, Duration.ofSeconds(10), this::running, () -> "");
    }

    static boolean ping(int port) {
        try (Resp r = new Resp("127.0.0.1", port, 1000)) {
            return "PONG".equals(r.call("PING"));
        } catch (IOException e) {
            return false;
        }
    }
}
