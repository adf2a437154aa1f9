package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Debian's PgBouncer (installed, or fetched with {@code apt-get download} and unpacked without root) in transaction
 * mode on a free loopback port in front of a {@link Postgres}: every database name is passed through, and with
 * {@code server_round_robin} each transaction may land on another server connection, as under load in production.
 */
public final class PgBouncer implements AutoCloseable {

    private static final String SHARED_PROPERTY = "kiku.infra.pgbouncer.shared";
    private static final String PACKAGE = "pgbouncer";
    /** The shared libraries of Debian 12's pgbouncer beyond libc and OpenSSL, fetched with it when it is not installed. */
    private static final List<String> LIB_PACKAGES = List.of("libevent-2.1-7", "libc-ares2");
    /** Server connections per (database, user): fewer than a service's pool, so that clients must share them. */
    public static final int DEFAULT_POOL_SIZE = 8;

    private final Path dir;
    private final int port;
    private final ProcessHandle process;

    private PgBouncer(Path dir, int port, ProcessHandle process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * The JVM-wide PgBouncer in front of {@link Postgres#shared()}, started on first use and stopped at JVM exit;
     * shared across class loaders through a system property.
     */
    public static PgBouncer shared() {
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null) {
                String[] p = state.split("\n");
                ProcessHandle ph = ProcessHandle.of(Long.parseLong(p[2])).orElse(null);
                if (ph != null && ph.isAlive()) {
                    return new PgBouncer(Path.of(p[0]), Integer.parseInt(p[1]), ph);
                }
            }
            Postgres pg = Postgres.shared();
            Path dir = PgUser.reachableByPgUser(Infra.moduleTarget().resolve("kiku-infra"))
                    .resolve(Long.toString(Infra.jvmPid())).resolve("pgbouncer");
            long t0 = System.nanoTime();
            PgBouncer bouncer = start(pg, dir, Infra.moduleTarget().resolve("kiku-infra/bin"), DEFAULT_POOL_SIZE);
            Infra.log("PgBouncer 127.0.0.1:" + bouncer.port + " (transaction mode, " + binary(
                    Infra.moduleTarget().resolve("kiku-infra/bin")).orElseThrow() + ") ready in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            System.setProperty(SHARED_PROPERTY, bouncer.dir + "\n" + bouncer.port + "\n" + bouncer.process.pid());
            return bouncer;
        }
    }

    /** Whether PgBouncer is installed or could be fetched: tests that need it are skipped otherwise. */
    public static boolean available() {
        return binary(Infra.moduleTarget().resolve("kiku-infra/bin")).isPresent();
    }

    /** Starts PgBouncer in {@code dir} in front of {@code pg}, with {@code poolSize} server connections per database. */
    public static PgBouncer start(Postgres pg, Path dir, Path binCacheDir, int poolSize) {
        Path binary = binary(binCacheDir).orElseThrow(() -> new IllegalStateException(unavailableMessage()));
        int port = Ports.freePort(0, Set.of());
        try {
            Dirs.deleteRecursively(dir);
            PgUser.mkdirsOpen(dir);
            Files.writeString(dir.resolve("userlist.txt"), "\"" + pg.username() + "\" \"" + pg.password() + "\"\n");
            Files.writeString(dir.resolve("pgbouncer.ini"), ini(pg, dir, port, poolSize), StandardCharsets.UTF_8);
            PgUser.handOver(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path console = dir.resolve("console.log");
        List<String> cmd = new ArrayList<>(PgUser.asPgUser(List.of(binary.toString(), dir.resolve("pgbouncer.ini").toString())));
        Process process = launch(cmd, binary, console);
        ProcessHandle handle = process.toHandle();
        Runtime.getRuntime().addShutdownHook(new Thread(handle::destroy, "kiku-infra-pgbouncer-reaper"));
        PgBouncer bouncer = new PgBouncer(dir, port, handle);
        bouncer.awaitListening(Duration.ofSeconds(20), console);
        return bouncer;
    }

    static String ini(Postgres pg, Path dir, int port, int poolSize) {
        return String.join("\n",
                "[databases]",
                "* = host=" + pg.host() + " port=" + pg.port(),
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                "auth_file = " + dir.resolve("userlist.txt"),
                "admin_users = " + pg.username(),
                "pool_mode = transaction",
                "default_pool_size = " + poolSize,
                "max_client_conn = 1000",
                "server_round_robin = 1",
                // the JDBC driver and the reactive client both send it; PgBouncer 1.18 refuses unknown parameters
                "ignore_startup_parameters = extra_float_digits",
                // a client waiting for a server while PostgreSQL is down gets an error instead of hanging for 120 s
                "query_wait_timeout = 10",
                "server_connect_timeout = 5",
                "server_login_retry = 1",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + dir.resolve("pgbouncer.pid"),
                "log_connections = 0",
                "log_disconnections = 0",
                "") + "\n";
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return dir.resolve("pgbouncer.log");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** Runs a command of PgBouncer's admin console ({@code SHOW POOLS}, ...) and returns its text rows. */
    public List<List<String>> admin(String command, String user, String password) {
        try (PgWire wire = PgWire.connect(host(), port, user, password, "pgbouncer")) {
            return wire.query(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes PgBouncer open {@code count} server connections to {@code database} (each of as many clients holds one in
     * an open transaction), so that with round robin the next transactions of one client land on different ones.
     */
    public void openServerConnections(Postgres pg, String database, int count) {
        List<PgWire> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                PgWire wire = PgWire.connect(host(), port, pg.username(), pg.password(), database);
                clients.add(wire);
                wire.query("BEGIN");
                wire.query("SELECT 1");
            }
            for (PgWire wire : clients) {
                wire.query("COMMIT");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            clients.forEach(PgWire::close);
        }
    }

    /**
     * The pgbouncer binary: installed (PATH, /usr/sbin), or extracted with its libraries from Debian's packages into
     * {@code cacheDir}; empty when neither works.
     */
    public static Optional<Path> binary(Path cacheDir) {
        return binary(cacheDir, true);
    }

    /** {@code useInstalled=false}: Debian's package even when pgbouncer is installed (to test that path). */
    static Optional<Path> binary(Path cacheDir, boolean useInstalled) {
        Optional<Path> installed = Binaries.onPath("pgbouncer");
        if (useInstalled && installed.isPresent()) {
            return installed;
        }
        Path work = cacheDir.resolve("pgbouncer-deb");
        Path extracted = work.resolve("usr/sbin/pgbouncer");
        synchronized (Infra.LOCK) {
            if (!Files.isExecutable(extracted) && Binaries.onPath("apt-get").isPresent()
                    && Binaries.onPath("dpkg-deb").isPresent()) {
                Path log = cacheDir.resolve("pgbouncer-fetch.log");
                StringBuilder script = new StringBuilder("mkdir -p '" + work + "' && cd '" + work + "' && apt-get download "
                        + PACKAGE + " && dpkg-deb -x " + PACKAGE + "_*.deb .");
                for (String lib : LIB_PACKAGES) {
                    script.append(" && { apt-get download ").append(lib).append(" && dpkg-deb -x ").append(lib)
                            .append("_*.deb . || true; }");
                }
                Processes.runForExit(List.of("sh", "-c", script.toString()), log, Duration.ofMinutes(3));
                if (Files.isExecutable(extracted)) {
                    try {
                        PgUser.openToOthers(work);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        if (Files.isExecutable(extracted) && runs(extracted, cacheDir.resolve("pgbouncer-version.log"))) {
            return Optional.of(extracted);
        }
        return Optional.empty();
    }

    static String unavailableMessage() {
        return "PgBouncer is not installed and could not be fetched; install Debian's " + PACKAGE + " (apt-get install "
                + PACKAGE + ") or put pgbouncer on PATH";
    }

    /** Whether {@code binary --version} exits 0 (an unpacked one finds its libraries). */
    static boolean runs(Path binary, Path log) {
        try {
            Process p = launch(List.of(binary.toString(), "--version"), binary, log);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Launches with the unpacked libraries on the library path when the binary is an unpacked one. */
    private static Process launch(List<String> cmd, Path binary, Path log) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Path root = binary.getParent().getParent().getParent();
            if (root.getFileName() != null && root.getFileName().toString().equals("pgbouncer-deb")) {
                pb.environment().put("LD_LIBRARY_PATH", root.resolve("usr/lib/x86_64-linux-gnu") + ":"
                        + root.resolve("usr/lib/aarch64-linux-gnu") + ":" + root.resolve("usr/lib"));
            }
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: immediate shutdown
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null && state.startsWith(dir + "\n")) {
                System.clearProperty(SHARED_PROPERTY);
            }
        }
    }

    private void awaitListening(Duration timeout, Path console) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Ports.accepting(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("PgBouncer did not listen on " + port + "\n--- " + console + " ---\n"
                        + Processes.tail(console, 30) + "\n--- " + logFile() + " ---\n" + Processes.tail(logFile(), 30));
            }
            Poll.sleep(50);
        }
    }
}
