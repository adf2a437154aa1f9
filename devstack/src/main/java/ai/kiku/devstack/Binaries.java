package ai.kiku.devstack;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Finds server binaries: installed ones on PATH, else files shipped in jars (classpath or local Maven repo). */
final class Binaries {

    private Binaries() {
    }

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
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + Infra.jvmPid());
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
                .orElse(Binaries.class.getClassLoader());
        InputStream in = cl.getResourceAsStream(resource);
        if (in == null) {
            in = Binaries.class.getClassLoader().getResourceAsStream(resource);
        }
        if (in != null || fallbackJar.isEmpty()) {
            return in;
        }
        ZipFile zip = new ZipFile(fallbackJar.get().toFile());
        ZipEntry entry = zip.getEntry(resource);
        if (entry == null) {
            zip.close();
            return null;
        }
        InputStream raw = zip.getInputStream(entry);
        return new FilterInputStream(raw) {
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
}
