package ai.kiku.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Process, port and binary plumbing shared by {@link RedisCluster}, {@link Postgres} and {@link DevStack}. */
final class Infra {

    /** PostgreSQL refuses to run as root; as root we run it as nobody:nogroup. */
    static final int PG_UID = 65534;
    static final int PG_GID = 65534;

    /**
     * One lock for the whole JVM: string literals are interned JVM-wide, so copies of this class in other class
     * loaders (Quarkus loads test resources per application) share it.
     */
    static final Object LOCK = "ai.kiku.testing.Infra.LOCK".intern();

    private Infra() {
    }

    /** Set {@code -Dkiku.infra.forceEmbedded=true} (or env KIKU_INFRA_FORCE_EMBEDDED=true) to skip binaries on PATH. */
    static boolean forceEmbedded() {
        return Boolean.parseBoolean(System.getProperty("kiku.infra.forceEmbedded",
                Optional.ofNullable(System.getenv("KIKU_INFRA_FORCE_EMBEDDED")).orElse("false")));
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** The calling module's {@code target/} directory (surefire runs with the module as working directory). */
    static Path moduleTarget() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        Path target = Path.of(base).toAbsolutePath().resolve("target");
        // open to others whatever the umask, so that PostgreSQL (run as nobody when we are root) can live below it
        mkdirsOpen(target.resolve("kiku-infra"));
        return target;
    }

    static void log(String message) {
        System.err.println("[kiku-infra] " + message);
    }

    static long jvmPid() {
        return ProcessHandle.current().pid();
    }

    // ---------------------------------------------------------------- ports

    static boolean portFree(int port) {
        if (port <= 0 || port > 65535) {
            return false;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // like the servers do: TIME_WAIT leftovers do not make a port busy
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A free port; with {@code busOffset > 0} the port + offset (Redis cluster bus) must be free too. */
    static int freePort(int busOffset, Set<Integer> taken) {
        for (int i = 0; i < 200; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (taken.contains(port) || (busOffset > 0 && (taken.contains(port + busOffset) || !portFree(port + busOffset)))) {
                continue;
            }
            if (busOffset > 0 && port + busOffset > 65535) {
                // the kernel's ephemeral range can exceed 55535; pick from a lower band instead
                int candidate = 20000 + (port % 25000);
                if (!taken.contains(candidate) && !taken.contains(candidate + busOffset)
                        && portFree(candidate) && portFree(candidate + busOffset)) {
                    return candidate;
                }
                continue;
            }
            return port;
        }
        throw new IllegalStateException("no free port found");
    }

    // ---------------------------------------------------------------- processes

    static String tail(Path file, int lines) {
        try {
            if (!Files.isReadable(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** Runs a command to completion with output appended to {@code log}; fails with the log tail on a non-zero exit. */
    static void run(List<String> cmd, Path log, Duration timeout) {
        int exit = runForExit(cmd, log, timeout);
        if (exit != 0) {
            throw new IllegalStateException("command failed (exit " + exit + "): " + String.join(" ", cmd)
                    + "\n--- " + log + " ---\n" + tail(log, 40));
        }
    }

    static int runForExit(List<String> cmd, Path log, Duration timeout) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C");
            pb.environment().remove("PGDATA");
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", cmd)
                        + "\n--- " + log + " ---\n" + tail(log, 40));
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a command whose output goes to {@code log} and that we do not wait for (e.g. a daemonizing server). */
    static Process launch(List<String> cmd, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            return first.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(first));
        } catch (IOException | NumberFormatException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The live process of a pid file, if its command line mentions {@code expected} (guards against pid reuse). */
    static Optional<ProcessHandle> liveProcess(Path pidFile, String expected) {
        return readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(ph -> commandLine(ph).contains(expected));
    }

    static String commandLine(ProcessHandle ph) {
        try {
            return Files.readString(Path.of("/proc/" + ph.pid() + "/cmdline")).replace('\0', ' ');
        } catch (IOException | UncheckedIOException e) {
            return ph.info().commandLine().orElse(ph.info().command().orElse(""));
        }
    }

    /** Terminates a process: SIGTERM, then SIGKILL after {@code grace}; returns when it is gone. */
    static void terminate(ProcessHandle ph, Duration grace, boolean force) {
        if (force) {
            ph.destroyForcibly();
        } else {
            ph.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (ph.isAlive() && System.nanoTime() < deadline) {
            sleep(20);
        }
        if (ph.isAlive()) {
            ph.destroyForcibly();
            long hard = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ph.isAlive() && System.nanoTime() < hard) {
                sleep(20);
            }
        }
    }

    static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} until it holds; on timeout fails with {@code diagnostics}. */
    static void await(String what, Duration timeout, Check check, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                        + (last == null ? "" : " (last error: " + last + ")") + "\n" + diagnostics.get());
            }
            sleep(50);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- running PostgreSQL as an unprivileged user

    /** Prefixes a command so that it runs as nobody when we are root (PostgreSQL refuses root). */
    static List<String> asPgUser(List<String> cmd) {
        if (!isRoot()) {
            return cmd;
        }
        List<String> out = new ArrayList<>();
        Optional<Path> setpriv = onPath("setpriv");
        Optional<Path> runuser = onPath("runuser");
        if (setpriv.isPresent()) {
            out.addAll(List.of(setpriv.get().toString(), "--reuid=" + PG_UID, "--regid=" + PG_GID, "--clear-groups", "--"));
        } else if (runuser.isPresent()) {
            out.addAll(List.of(runuser.get().toString(), "-u", "nobody", "--"));
        } else {
            throw new IllegalStateException("running as root and neither setpriv nor runuser is available to drop "
                    + "privileges for PostgreSQL; run as a normal user");
        }
        out.addAll(cmd);
        return out;
    }

    static void chownRecursive(Path root, int uid, int gid) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a directory and its missing parents as rwxr-xr-x whatever the umask, so that nobody can reach it. */
    static void mkdirsOpen(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        List<Path> missing = new ArrayList<>();
        for (Path cur = abs; cur != null && !Files.exists(cur); cur = cur.getParent()) {
            missing.add(0, cur);
        }
        try {
            for (Path p : missing) {
                try {
                    Files.createDirectory(p);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    continue;
                }
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether an unprivileged user (neither owner nor group) can reach {@code p}: every ancestor needs o+x. */
    static boolean traversableByOthers(Path p) {
        Path cur = p.toAbsolutePath();
        while (cur != null) {
            if (Files.exists(cur)) {
                try {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(cur);
                    if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                        return false;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }
            cur = cur.getParent();
        }
        return true;
    }

    // ---------------------------------------------------------------- binaries

    static Optional<Path> onPath(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The local Maven repository, for finding fallback jars that are not on this module's test classpath. */
    static Path localMavenRepo() {
        String configured = System.getProperty("maven.repo.local");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Copies a classpath resource (or the same entry of a jar found in the local Maven repo) to {@code target}. */
    static boolean extractResource(String resource, Optional<Path> fallbackJar, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + jvmPid());
            try (InputStream in = openResource(resource, fallbackJar)) {
                if (in == null) {
                    return false;
                }
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream openResource(String resource, Optional<Path> fallbackJar) throws IOException {
        ClassLoader cl = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(Infra.class.getClassLoader());
        InputStream in = cl.getResourceAsStream(resource);
        if (in == null) {
            in = Infra.class.getClassLoader().getResourceAsStream(resource);
        }
        if (in != null || fallbackJar.isEmpty()) {
            return in;
        }
        java.util.zip.ZipFile zip = new java.util.zip.ZipFile(fallbackJar.get().toFile());
        java.util.zip.ZipEntry entry = zip.getEntry(resource);
        if (entry == null) {
            zip.close();
            return null;
        }
        InputStream raw = zip.getInputStream(entry);
        return new java.io.FilterInputStream(raw) {
            @Override
            public void close() throws IOException {
                super.close();
                zip.close();
            }
        };
    }

    /** Highest version directory of an artifact in the local Maven repo, preferring versions starting with {@code prefer}. */
    static Optional<Path> findJarInLocalRepo(String groupPath, String artifact, String prefer) {
        Path dir = localMavenRepo().resolve(groupPath).resolve(artifact);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(dir)) {
            List<Path> withJar = versions.filter(v -> Files.isRegularFile(v.resolve(artifact + "-" + v.getFileName() + ".jar")))
                    .sorted(Comparator.comparing((Path v) -> v.getFileName().toString().startsWith(prefer))
                            .thenComparing(v -> versionKey(v.getFileName().toString())))
                    .toList();
            if (withJar.isEmpty()) {
                return Optional.empty();
            }
            Path best = withJar.get(withJar.size() - 1);
            return Optional.of(best.resolve(artifact + "-" + best.getFileName() + ".jar"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Sortable form of a dotted version ("15.19.0" sorts after "15.5.1"). */
    static String versionKey(String version) {
        StringBuilder sb = new StringBuilder();
        for (String part : version.split("[.-]")) {
            sb.append(part.matches("\\d+") ? String.format("%08d", Long.parseLong(part)) : part).append('.');
        }
        return sb.toString();
    }

    static void makeExecutable(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OWNER_READ,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
            Files.setPosixFilePermissions(file, perms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- leftovers of crashed runs

    /**
     * Kills the servers of earlier JVMs that died without their shutdown hook (a killed surefire fork), found through
     * the pid files under {@code root/<jvm-pid>/}, and deletes their directories. Runs once per root and JVM.
     */
    static void cleanupStale(Path root) {
        synchronized (Infra.LOCK) {
            String flag = "kiku.infra.cleaned." + root.toAbsolutePath();
            if (System.getProperty(flag) != null || !Files.isDirectory(root)) {
                return;
            }
            System.setProperty(flag, "true");
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (!name.matches("\\d+") || Long.parseLong(name) == jvmPid()) {
                    continue;
                }
                boolean ownerAlive = ProcessHandle.of(Long.parseLong(name))
                        .filter(ProcessHandle::isAlive).filter(ph -> commandLine(ph).contains("java")).isPresent();
                if (ownerAlive) {
                    continue;
                }
                killServersUnder(dir);
                deleteRecursively(dir);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover we cannot remove only costs disk space
        }
    }

    /** Stops every redis-server / postgres whose pid file lies under {@code dir}. */
    static void killServersUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.equals("redis.pid")) {
                    liveProcess(f, "redis-server").ifPresent(ph -> terminate(ph, Duration.ofSeconds(5), false));
                } else if (n.equals("postmaster.pid")) {
                    // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only sends TERM (smart) or KILL
                    liveProcess(f, "postgres").ifPresent(ph -> {
                        signal(ph.pid(), "INT");
                        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                        while (ph.isAlive() && System.nanoTime() < deadline) {
                            sleep(50);
                        }
                        terminate(ph, Duration.ofSeconds(1), true);
                    });
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    /**
     * Shutdown hook that stops the servers of a JVM-wide instance. It uses only JDK classes in {@link #run()}: the
     * class loader that created it (a Quarkus application's) may be closed by the time the JVM exits.
     */
    static final class Reaper extends Thread {
        private final List<Path> redisPidFiles;
        private final List<List<String>> commands;

        Reaper(List<Path> redisPidFiles, List<List<String>> commands) {
            super("kiku-infra-reaper");
            this.redisPidFiles = List.copyOf(redisPidFiles);
            this.commands = List.copyOf(commands);
        }

        @Override
        public void run() {
            List<ProcessHandle> stopping = new ArrayList<>();
            for (Path pidFile : redisPidFiles) {
                try {
                    String pid = Files.readString(pidFile).trim();
                    Optional<ProcessHandle> ph = ProcessHandle.of(Long.parseLong(pid));
                    // the node may have stopped long ago and its pid been reused
                    String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
                    if (ph.isPresent() && ph.get().isAlive() && cmdline.contains("redis-server")) {
                        ph.get().destroy();
                        stopping.add(ph.get());
                    }
                } catch (Exception e) {
                    // already gone
                }
            }
            for (List<String> cmd : commands) {
                try {
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start().waitFor(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // best effort at JVM exit
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (ProcessHandle ph : stopping) {
                while (ph.isAlive() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (ph.isAlive()) {
                    ph.destroyForcibly();
                }
            }
        }
    }
}
