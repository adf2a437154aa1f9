package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** A real PostgreSQL server process (installed binaries, else zonky's embedded ones), for tests and the dev stack. */
public final class Postgres implements AutoCloseable {

    private static final String SHARED_PROPERTY = "kiku.infra.pg.shared";
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(120);

    private final Path binDir;
    private final Path baseDir;
    private final int port;
    private final String username;
    private final String password;

    private Postgres(Path binDir, Path baseDir, int port, String username, String password) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /**
     * The JVM-wide server under {@code target/kiku-infra/<jvm-pid>/pg} (user and password {@code kiku}), started on
     * first use and stopped at JVM exit; shared across class loaders through a system property.
     */
    public static Postgres shared() {
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null) {
                String[] p = state.split("\n");
                return new Postgres(Path.of(p[0]), Path.of(p[1]), Integer.parseInt(p[2]), p[3], p[4]);
            }
            Path infra = Infra.moduleTarget().resolve("kiku-infra");
            Path pgInfra = PgUser.reachableByPgUser(infra);
            Leftovers.cleanupStale(infra);
            Leftovers.cleanupStale(pgInfra);
            long t0 = System.nanoTime();
            Postgres pg = start(pgInfra.resolve(Long.toString(Infra.jvmPid())).resolve("pg"), infra.resolve("bin"),
                    0, "kiku", "kiku", false);
            Infra.log("PostgreSQL " + pg.jdbcUrl("") + " (" + pg.binDir() + ") ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Runtime.getRuntime().addShutdownHook(new Reaper(List.of(), List.of(PgUser.asPgUser(pg.pgCtl("stop", "-m", "fast")))));
            System.setProperty(SHARED_PROPERTY, String.join("\n", pg.binDir.toString(), pg.baseDir.toString(),
                    Integer.toString(pg.port), pg.username, pg.password));
            return pg;
        }
    }

    /**
     * Starts a server in {@code dir} (initialising it when it holds no cluster yet) on {@code port} (0: a free port).
     * When we are root the server runs as nobody, and {@code dir} moves to the temp directory if nobody cannot reach
     * it. {@code durable=false} turns fsync off: fine for tests, whose data dies with them.
     */
    public static Postgres start(Path dir, Path binCacheDir, int port, String username, String password, boolean durable) {
        Path binDir = PgBinaries.locateBinDir(binCacheDir);
        Path base = PgUser.reachableByPgUser(dir.toAbsolutePath());
        int chosen = port > 0 ? port : Ports.freePort(0, Set.of());
        Postgres pg = new Postgres(binDir, base, chosen, username, password);
        PgDataDir.initIfNeeded(pg, base, durable);
        pg.start();
        return pg;
    }

    /** Starts nothing: a handle on a server this class started in {@code dir} earlier (e.g. by another JVM). */
    public static Postgres attach(Path dir, Path binDir, int port, String username, String password) {
        return new Postgres(binDir, PgUser.reachableByPgUser(dir.toAbsolutePath()), port, username, password);
    }

    // ------------------------------------------------------------------------------------------------ API

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public Path binDir() {
        return binDir;
    }

    public Path dataDir() {
        return baseDir.resolve("data");
    }

    public Path logFile() {
        return baseDir.resolve("postgres.log");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** Creates an empty database owned by {@link #username()}; fails if it exists. */
    public void createDatabase(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database names are lower-case identifiers: " + name);
        }
        query("postgres", "CREATE DATABASE \"" + name + "\"");
    }

    /** Creates the database unless it exists; returns whether it created it. */
    public boolean createDatabaseIfMissing(String name) {
        if (databaseExists(name)) {
            return false;
        }
        createDatabase(name);
        return true;
    }

    public boolean databaseExists(String name) {
        return !query("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'").isEmpty();
    }

    /** Runs one SQL statement (simple query protocol) and returns the text rows of its result. */
    public List<List<String>> query(String database, String sql) {
        try (PgWire pg = PgWire.connect(host(), port, username, password, database)) {
            return pg.query(sql);
        } catch (IOException e) {
            throw new UncheckedIOException("on " + jdbcUrl(database) + ": " + e.getMessage(), e);
        }
    }

    /** Whether the server accepts connections. */
    public boolean isRunning() {
        try (PgWire pg = PgWire.connect(host(), port, username, password, "postgres")) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server (fast shutdown: clients are disconnected); {@link #start()} brings it back with its data. */
    public void stop() {
        if (Files.isRegularFile(dataDir().resolve("postmaster.pid"))) {
            Processes.run(PgUser.asPgUser(pgCtl("stop", "-m", "fast")), baseDir.resolve("pg_ctl.log"), PG_CTL_TIMEOUT);
        }
    }

    /** Starts the server again on the same port with the same data. */
    public void start() {
        if (isRunning()) {
            return;
        }
        if (!Ports.portFree(port)) {
            throw new IllegalStateException("port " + port + " for PostgreSQL is taken by another process");
        }
        int exit = Processes.runForExit(PgUser.asPgUser(pgCtl("start", "-l", logFile().toString(), "-t", "90",
                "-o", "-p " + port)), baseDir.resolve("pg_ctl.log"), PG_CTL_TIMEOUT);
        if (exit != 0) {
            throw new IllegalStateException("PostgreSQL did not start (pg_ctl exit " + exit + ")\n--- "
                    + baseDir.resolve("pg_ctl.log") + " ---\n" + Processes.tail(baseDir.resolve("pg_ctl.log"), 20)
                    + "\n--- " + logFile() + " ---\n" + Processes.tail(logFile(), 40));
        }
        Poll.until("PostgreSQL on port " + port, Duration.ofSeconds(60), this::isRunning,
                () -> Processes.tail(logFile(), 40));
    }

    @Override
    public void close() {
        stop();
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null && state.startsWith(binDir + "\n" + baseDir + "\n")) {
                System.clearProperty(SHARED_PROPERTY);
            }
        }
    }

    /** The pg_ctl command line for {@code action} on this server's data directory. */
    List<String> pgCtl(String action, String... options) {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-w"));
        cmd.addAll(List.of(options));
        cmd.add(action);
        return cmd;
    }
}
