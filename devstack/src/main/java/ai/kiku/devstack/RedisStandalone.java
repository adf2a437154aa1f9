package ai.kiku.devstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One real redis-server without cluster mode ({@code kiku.redis.mode=standalone}), optionally with a password and a
 * TLS port (self-signed certificate made with openssl), for tests and the dev stack.
 */
public final class RedisStandalone implements RedisServers, AutoCloseable {

    /** The password of the shared server: tests over it prove that every client authenticates. */
    public static final String SHARED_PASSWORD = "kiku-standalone-secret";
    private static final String SHARED_PROPERTY = "kiku.infra.redis.standalone.shared";

    private final RedisProcess server;
    private final Path binary;
    private final String password;
    /** TLS port, 0 when TLS is off. */
    private final int tlsPort;

    private RedisStandalone(Path binary, Path dir, int port, String password, int tlsPort) {
        this.binary = binary;
        this.server = new RedisProcess(binary, dir, port, password, false);
        this.password = password;
        this.tlsPort = tlsPort;
    }

    /** The JVM-wide server (with {@link #SHARED_PASSWORD}), started on first use and stopped at JVM exit. */
    public static RedisStandalone shared() {
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null) {
                String[] p = state.split("\n");
                return new RedisStandalone(Path.of(p[0]), Path.of(p[1]), Integer.parseInt(p[2]), SHARED_PASSWORD, 0);
            }
            RedisStandalone redis = startPrivate("standalone", SHARED_PASSWORD, false);
            System.setProperty(SHARED_PROPERTY, redis.binary + "\n" + redis.server.dir() + "\n" + redis.server.port());
            return redis;
        }
    }

    /** A server of its own under this JVM's infra directory; {@code password} may be null; close it. */
    public static RedisStandalone startPrivate(String name, String password, boolean tls) {
        Path target = Infra.moduleTarget();
        Leftovers.cleanupStale(target.resolve("kiku-infra"));
        Path dir = target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid()))
                .resolve(name + "-" + Long.toString(System.nanoTime(), 36));
        RedisStandalone redis = start(dir, target.resolve("kiku-infra").resolve("bin"), 0, password, tls, false);
        Runtime.getRuntime().addShutdownHook(new Reaper(List.of(redis.server.pidFile()), List.of()));
        return redis;
    }

    /**
     * Starts a server in {@code dir} on {@code port} (0: a free one), daemonized or not (the dev stack's outlive
     * the JVM). With {@code tls} it also listens with TLS on another free port; {@link #tlsCertificate()} is its CA.
     */
    public static RedisStandalone start(Path dir, Path binDir, int port, String password, boolean tls, boolean daemonize) {
        Path binary = RedisBinary.locate(binDir);
        long t0 = System.nanoTime();
        int chosen = port > 0 ? port : Ports.freePort(0, java.util.Set.of());
        int tlsPort = tls ? Ports.freePort(0, java.util.Set.of(chosen)) : 0;
        RedisStandalone redis = new RedisStandalone(binary, dir.toAbsolutePath(), chosen, password, tlsPort);
        redis.server.stop(Duration.ofSeconds(5), false);
        List<String> extra = List.of();
        if (tls) {
            SelfSignedCertificate.create(dir.resolve("tls"));
            extra = List.of("tls-port " + tlsPort,
                    "tls-cert-file " + RedisProcess.quote(dir.resolve("tls/cert.pem")),
                    "tls-key-file " + RedisProcess.quote(dir.resolve("tls/key.pem")),
                    "tls-ca-cert-file " + RedisProcess.quote(dir.resolve("tls/cert.pem")),
                    "tls-auth-clients no");
        }
        redis.server.writeConfig(daemonize, extra);
        redis.server.launch();
        Infra.log("Redis standalone " + redis.hosts() + " ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return redis;
    }

    @Override
    public String mode() {
        return "standalone";
    }

    /** {@code redis://127.0.0.1:PORT}, or {@code rediss://} on the TLS port when TLS is on. */
    @Override
    public String hosts() {
        return tlsPort > 0 ? "rediss://127.0.0.1:" + tlsPort : "redis://127.0.0.1:" + server.port();
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kiku.redis.mode", mode());
        config.put("kiku.redis.hosts", hosts());
        if (password != null) {
            config.put("kiku.redis.password", password);
        }
        if (tlsPort > 0) {
            config.put("kiku.redis.tls", "true");
            config.put("kiku.redis.tls-trust-pem", tlsCertificate().toString());
        }
        return config;
    }

    /** The plain-text port (the harness's own way in, also when TLS is on). */
    public int port() {
        return server.port();
    }

    public String password() {
        return password;
    }

    /** The server's self-signed certificate (PEM), to trust; only with TLS. */
    public Path tlsCertificate() {
        Path cert = server.dir().resolve("tls/cert.pem");
        if (tlsPort == 0 || !Files.isRegularFile(cert)) {
            throw new IllegalStateException("this server has no TLS port");
        }
        return cert;
    }

    /** One command on the server (authenticated), for test assertions. */
    public Object call(String... args) {
        return server.call(args);
    }

    public boolean running() {
        return server.running();
    }

    Path pidFile() {
        return server.pidFile();
    }

    @Override
    public void flushAll() {
        server.call("FLUSHALL");
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(10), false);
    }
}
