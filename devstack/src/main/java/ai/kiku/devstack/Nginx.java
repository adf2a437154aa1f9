package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's nginx-light, found on the machine or fetched with {@code apt-get download})
 * running the rendered deploy/nginx template in the foreground, for the tests of replicas behind a
 * load balancer.
 */
public final class Nginx implements AutoCloseable {

    /** What operators install; in Debian 12 it is a metapackage over "nginx", the package holding the binary. */
    private static final String PACKAGE = "nginx-light";
    private static final String BINARY_PACKAGE = "nginx";

    private final Path prefix;
    private final Process process;
    private final List<Integer> listenPorts;

    private Nginx(Path prefix, Process process, List<Integer> listenPorts) {
        this.prefix = prefix;
        this.process = process;
        this.listenPorts = listenPorts;
    }

    /** Starts nginx with {@code config} under {@code prefix} and waits until it listens on {@code listenPorts}. */
    public static Nginx start(NginxConfig config, Path prefix, List<Integer> listenPorts) {
        Path binary = binary(prefix.getParent());
        Path conf = config.write(prefix);
        Path log = prefix.resolve("logs/nginx-console.log");
        List<String> base = List.of(binary.toString(), "-p", prefix.toAbsolutePath().toString(), "-c", conf.toString(),
                "-g", "daemon off;");
        Processes.run(concat(base, "-t"), log, Duration.ofSeconds(30));
        try {
            Process process = new ProcessBuilder(base).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            Nginx nginx = new Nginx(prefix, process, List.copyOf(listenPorts));
            nginx.awaitListening(Duration.ofSeconds(20), log);
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The nginx binary: installed (PATH, /usr/sbin), or extracted from Debian's package into {@code cacheDir}. */
    public static Path binary(Path cacheDir) {
        Optional<Path> installed = Binaries.onPath("nginx");
        if (installed.isPresent()) {
            return installed.get();
        }
        Path extracted = cacheDir.resolve("nginx-deb/usr/sbin/nginx");
        if (Files.isExecutable(extracted)) {
            return extracted;
        }
        if (Binaries.onPath("apt-get").isPresent() && Binaries.onPath("dpkg-deb").isPresent()) {
            Path work = cacheDir.resolve("nginx-deb");
            Path log = cacheDir.resolve("nginx-fetch.log");
            Processes.runForExit(List.of("sh", "-c", "mkdir -p '" + work + "' && cd '" + work + "' && apt-get download "
                    + BINARY_PACKAGE + " && dpkg-deb -x " + BINARY_PACKAGE + "_*.deb ."), log, Duration.ofMinutes(3));
            if (Files.isExecutable(extracted)) {
                return extracted;
            }
        }
        throw new IllegalStateException("nginx is not installed and could not be fetched; install Debian's "
                + PACKAGE + " (apt-get install " + PACKAGE + ") or put nginx on PATH");
    }

    /** Asks nginx to re-read its configuration (SIGHUP): new workers take new connections, old ones finish theirs. */
    public void reload(NginxConfig config) {
        config.write(prefix);
        Processes.runForExit(List.of("kill", "-HUP", String.valueOf(process.pid())), prefix.resolve("logs/nginx-console.log"),
                Duration.ofSeconds(10));
    }

    public Path accessLog() {
        return prefix.resolve("logs/access.log");
    }

    public Path errorLog() {
        return prefix.resolve("logs/error.log");
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: fast shutdown
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening(Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : listenPorts) {
            while (!Ports.accepting(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("nginx did not listen on " + port + "\n--- " + log + " ---\n"
                            + Processes.tail(log, 30) + "\n--- error.log ---\n" + Processes.tail(errorLog(), 30));
                }
                Poll.sleep(50);
            }
        }
    }

    private static List<String> concat(List<String> base, String extra) {
        List<String> all = new java.util.ArrayList<>(base);
        all.add(extra);
        return all;
    }
}
