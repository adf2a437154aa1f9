package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One redis-server outside a cluster (a standalone server, a Sentinel primary or replica, or a sentinel): its
 * directory, config file and process. The harness always reaches it on its plain-text {@code port}, with the password.
 */
final class RedisProcess {

    private final Path binary;
    private final Path dir;
    private final int port;
    private final String password;
    private final boolean sentinel;

    RedisProcess(Path binary, Path dir, int port, String password, boolean sentinel) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.sentinel = sentinel;
    }

    int port() {
        return port;
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

    /** Writes the config: the common lines, the password (also as masterauth), then {@code extra}. */
    void writeConfig(boolean daemonize, List<String> extra) {
        List<String> lines = new ArrayList<>(List.of(
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + quote(dir),
                "daemonize " + (daemonize ? "yes" : "no"),
                "pidfile " + quote(pidFile()),
                "logfile " + quote(log())));
        if (password != null) {
            lines.add("requirepass " + password);
            if (!sentinel) {
                lines.add("masterauth " + password); // a primary may be demoted to a replica by a failover
            }
        }
        if (!sentinel) {
            lines.addAll(List.of("repl-diskless-sync-delay 0", "appendonly yes", "appendfsync everysec", "save \"\""));
        }
        lines.addAll(extra);
        lines.add("");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("redis.conf"), String.join("\n", lines), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String quote(Path p) {
        return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Starts the server with its config and waits until it answers and has written its pid file. */
    void launch() {
        Path out = dir.resolve("stdout.log");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), dir.resolve("redis.conf").toString()));
        if (sentinel) {
            cmd.add("--sentinel");
        }
        Process p = Processes.launch(cmd, out);
        Poll.until("redis-server on port " + port, Duration.ofSeconds(30), () -> {
            if (p.isAlive() || p.exitValue() == 0) {
                return ping();
            }
            throw new IllegalStateException("redis-server exited with " + p.exitValue());
        }, () -> "--- " + out + " ---\n" + Processes.tail(out, 20) + "\n--- redis.log ---\n" + Processes.tail(log(), 30));
        Poll.until("pid file of redis " + port, Duration.ofSeconds(10), this::running, () -> "");
    }

    boolean ping() {
        try (Resp r = connect(1000)) {
            return "PONG".equals(r.call("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    /** A connection on the plain port, authenticated when the server has a password. */
    Resp connect(int timeoutMillis) throws IOException {
        Resp r = new Resp("127.0.0.1", port, timeoutMillis);
        try {
            if (password != null) {
                r.call("AUTH", password);
            }
            return r;
        } catch (IOException e) {
            r.close();
            throw e;
        }
    }

    /** One command on this server, failing the test on an I/O error. */
    Object call(String... args) {
        try (Resp r = connect(5000)) {
            return r.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", args) + " on redis " + port, e);
        }
    }
}
