package ai.kiku.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds redis-server: an installed one, else the one shipped in the embedded-redis jar, extracted once. */
final class RedisBinary {

    private static final String EMBEDDED_VERSION = "6.2.6";

    private RedisBinary() {
    }

    /** redis-server on PATH (or KIKU_REDIS_SERVER), else the one shipped in the embedded-redis jar. */
    static Path locate(Path binDir) {
        String env = System.getenv("KIKU_REDIS_SERVER");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        if (!Infra.forceEmbedded()) {
            Optional<Path> onPath = Binaries.onPath("redis-server");
            if (onPath.isPresent()) {
                return onPath.get();
            }
        }
        String arch = System.getProperty("os.arch");
        String resource = arch.equals("aarch64") || arch.equals("arm64")
                ? "redis-server-6.2.7-linux-arm64" : "redis-server-" + EMBEDDED_VERSION + "-v5-linux-amd64";
        Path target = binDir.toAbsolutePath().resolve(resource);
        if (Files.isExecutable(target)) {
            return target;
        }
        Optional<Path> jar = Binaries.findJarInLocalRepo("com/github/codemonstur", "embedded-redis", "1.4");
        if (!Binaries.extractResource(resource, jar, target)) {
            throw new IllegalStateException("no redis-server on PATH and " + resource + " is neither on the classpath "
                    + "(com.github.codemonstur:embedded-redis) nor in " + Binaries.localMavenRepo()
                    + "; install redis-server or set KIKU_REDIS_SERVER");
        }
        Binaries.makeExecutable(target);
        return target;
    }
}
