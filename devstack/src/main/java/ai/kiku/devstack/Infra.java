package ai.kiku.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The JVM-wide lock and the facts about this JVM that every part of the harness needs. */
final class Infra {

    /**
     * One lock for the whole JVM: string literals are interned JVM-wide, so copies of this class in other class
     * loaders (Quarkus loads test resources per application) share it.
     */
    static final Object LOCK = "ai.kiku.devstack.Infra.LOCK".intern();

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
        PgUser.mkdirsOpen(target.resolve("kiku-infra"));
        return target;
    }

    static void log(String message) {
        System.err.println("[kiku-infra] " + message);
    }

    static long jvmPid() {
        return ProcessHandle.current().pid();
    }
}
