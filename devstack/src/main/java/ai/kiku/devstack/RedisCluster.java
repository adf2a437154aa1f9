package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A real 6-node Redis Cluster (3 masters, 3 replicas) of redis-server processes, for tests and the dev stack. */
public final class RedisCluster implements RedisServers, AutoCloseable {

    public static final int SLOTS = 16384;
    static final int BUS_OFFSET = 10000;
    private static final String SHARED_PROPERTY = "kiku.infra.redis.shared";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path binary;
    private final Path baseDir;
    private final List<Integer> ports;
    private final int nodeTimeoutMillis;
    private final boolean daemonize;
    private final ClusterSecurity security;

    private RedisCluster(Path binary, Path baseDir, List<Integer> ports, int nodeTimeoutMillis, boolean daemonize) {
        this(binary, baseDir, ports, nodeTimeoutMillis, daemonize, ClusterSecurity.NONE);
    }

    private RedisCluster(Path binary, Path baseDir, List<Integer> ports, int nodeTimeoutMillis, boolean daemonize,
                         ClusterSecurity security) {
        this.binary = binary;
        this.baseDir = baseDir;
        this.ports = List.copyOf(ports);
        this.nodeTimeoutMillis = nodeTimeoutMillis;
        this.daemonize = daemonize;
        this.security = security;
        if (security.password() != null) {
            ports.forEach(port -> Resp.authenticate(port, security.password()));
        }
    }

    /**
     * The JVM-wide cluster under {@code target/kiku-infra/<jvm-pid>/}, started on first use and stopped at JVM exit.
     * The state lives in a system property so that copies of this class in other class loaders (Quarkus loads test
     * resources per application) find the same cluster instead of starting another.
     */
    public static RedisCluster shared() {
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null) {
                return fromState(state);
            }
            Path target = Infra.moduleTarget();
            Leftovers.cleanupStale(target.resolve("kiku-infra"));
            long t0 = System.nanoTime();
            RedisCluster cluster = start(target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid())).resolve("redis"),
                    target.resolve("kiku-infra").resolve("bin"), null, 5000, false);
            Infra.log("Redis Cluster " + cluster.hosts() + " (" + cluster.binary() + ") ready in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Runtime.getRuntime().addShutdownHook(new Reaper(cluster.pidFiles(), List.of()));
            System.setProperty(SHARED_PROPERTY, cluster.state());
            return cluster;
        }
    }

    /** A cluster of its own (for tests that kill nodes), with a short node timeout for quick failover; close it. */
    public static RedisCluster startPrivate(String name) {
        Path target = Infra.moduleTarget();
        Leftovers.cleanupStale(target.resolve("kiku-infra"));
        String unique = name + "-" + Long.toString(System.nanoTime(), 36);
        RedisCluster cluster = start(target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid())).resolve(unique),
                target.resolve("kiku-infra").resolve("bin"), null, 1000, false);
        Runtime.getRuntime().addShutdownHook(new Reaper(cluster.pidFiles(), List.of()));
        return cluster;
    }

    /**
     * A cluster of its own whose nodes require {@code password} (may be null) and, with {@code tls}, serve clients,
     * the cluster bus and replication over TLS (self-signed certificate: {@link #config()} trusts it); close it.
     */
    public static RedisCluster startPrivate(String name, String password, boolean tls) {
        Path target = Infra.moduleTarget();
        Leftovers.cleanupStale(target.resolve("kiku-infra"));
        Path dir = target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid()))
                .resolve(name + "-" + Long.toString(System.nanoTime(), 36)).toAbsolutePath();
        Path binary = RedisBinary.locate(target.resolve("kiku-infra").resolve("bin"));
        List<Integer> ports = Ports.freePorts(6, BUS_OFFSET);
        ClusterSecurity security = ClusterSecurity.of(password, tls, ports, dir.resolve("tls"));
        if (tls) {
            try {
                java.nio.file.Files.createDirectories(dir.resolve("tls"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SelfSignedCertificate.create(dir.resolve("tls"));
        }
        RedisCluster cluster = new RedisCluster(binary, dir, ports, 1000, false, security);
        Runtime.getRuntime().addShutdownHook(new Reaper(cluster.pidFiles(), List.of()));
        cluster.boot();
        Infra.log("Redis Cluster " + cluster.hosts() + " (password " + (password != null) + ", TLS " + tls + ") ready");
        return cluster;
    }

    /**
     * Starts (or, when {@code dir} holds a previous cluster on the same ports, restarts) a cluster.
     *
     * @param dir              node directories go to {@code dir/redis-<port>}
     * @param binDir           where the embedded redis-server is extracted if none is installed
     * @param wantedPorts      six ports (masters first) or null for free ephemeral ports
     * @param nodeTimeoutMillis cluster-node-timeout: how fast a dead master is failed over
     * @param daemonize        whether the servers detach (they always outlive a crashed JVM; this only affects
     *                         the process tree)
     */
    public static RedisCluster start(Path dir, Path binDir, List<Integer> wantedPorts, int nodeTimeoutMillis, boolean daemonize) {
        Path binary = RedisBinary.locate(binDir);
        if (wantedPorts != null && wantedPorts.size() != 6) {
            throw new IllegalArgumentException("a cluster needs 6 ports, got " + wantedPorts);
        }
        // free ports can be grabbed by someone else between our check and redis binding them: try other ones
        int attempts = wantedPorts == null ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            List<Integer> ports = wantedPorts != null ? wantedPorts : Ports.freePorts(6, BUS_OFFSET);
            RedisCluster cluster = new RedisCluster(binary, dir.toAbsolutePath(), ports, nodeTimeoutMillis, daemonize);
            try {
                cluster.boot();
                return cluster;
            } catch (RuntimeException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                Infra.log("redis cluster on " + ports + " failed to start, retrying on other ports: "
                        + e.getMessage().lines().findFirst().orElse(""));
                cluster.close();
                ports.forEach(p -> Dirs.deleteRecursively(cluster.nodeDir(p)));
            }
        }
    }

    /** Starts nothing: a handle on a cluster this class started in {@code dir} earlier (e.g. by another JVM). */
    public static RedisCluster attach(Path dir, Path binary, List<Integer> ports, int nodeTimeoutMillis, boolean daemonize) {
        return new RedisCluster(binary, dir.toAbsolutePath(), ports, nodeTimeoutMillis, daemonize);
    }

    private static RedisCluster fromState(String state) {
        String[] parts = state.split("\n");
        List<Integer> ports = Arrays.stream(parts[2].split(",")).map(Integer::valueOf).toList();
        return new RedisCluster(Path.of(parts[0]), Path.of(parts[1]), ports, Integer.parseInt(parts[3]),
                Boolean.parseBoolean(parts[4]));
    }

    private String state() {
        return binary + "\n" + baseDir + "\n" + ports.stream().map(String::valueOf).collect(Collectors.joining(","))
                + "\n" + nodeTimeoutMillis + "\n" + daemonize;
    }

    // ------------------------------------------------------------------------------------------------ API

    /** {@code redis://127.0.0.1:PORT} of all six nodes ({@code rediss://} and the TLS ports when TLS is on). */
    public List<String> nodeUris() {
        return ports.stream().map(security::uri).toList();
    }

    /** Comma-joined {@link #nodeUris()}, the value for {@code kiku.redis.hosts} / {@code quarkus.redis.hosts}. */
    @Override
    public String hosts() {
        return String.join(",", nodeUris());
    }

    public List<Integer> ports() {
        return ports;
    }

    @Override
    public String mode() {
        return "cluster";
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new java.util.LinkedHashMap<>(Map.of("kiku.redis.mode", mode(), "kiku.redis.hosts", hosts()));
        config.putAll(security.clientConfig());
        return config;
    }

    public Path binary() {
        return binary;
    }

    public Path baseDir() {
        return baseDir;
    }

    /** The port of the master that currently serves {@code slot}, as a running node sees it. */
    public int masterPortForSlot(int slot) {
        return RedisTopology.masterPortForSlot(runningPorts(), slot);
    }

    /** The port of the master that serves {@code key}. */
    public int masterPortForKey(String key) {
        return masterPortForSlot(slotOf(key));
    }

    /** Ports of the nodes that are masters right now. */
    public List<Integer> masterPorts() {
        return RedisTopology.withRole(runningPorts(), "master");
    }

    /** Ports of the nodes that are replicas right now. */
    public List<Integer> replicaPorts() {
        return RedisTopology.withRole(runningPorts(), "slave");
    }

    /** Kills a node with SIGKILL (a crash, not a shutdown); its replica takes over after the node timeout. */
    public void killNode(int port) {
        requirePort(port);
        node(port).stop(Duration.ofSeconds(5), true);
        Poll.until("redis node " + port + " to be down", Duration.ofSeconds(10), () -> !RedisNode.ping(port), () -> "");
    }

    /** Starts a killed node again with its data and cluster config, and waits until the cluster is healthy. */
    public void restartNode(int port) {
        requirePort(port);
        RedisNode node = node(port);
        if (!node.running()) {
            node.launch();
        }
        awaitHealthy(START_TIMEOUT);
    }

    /** FLUSHALL on every master (replicas follow), for tests that need a clean slate. */
    @Override
    public void flushAll() {
        for (int port : masterPorts()) {
            try (Resp r = Resp.connect(port)) {
                r.call("FLUSHALL");
            } catch (IOException e) {
                throw new UncheckedIOException("FLUSHALL on " + port, e);
            }
        }
    }

    /** Cluster slot of a key, with hash-tag rules: only the part in the first non-empty {...} is hashed. */
    public static int slotOf(String key) {
        return RedisSlots.slotOf(key);
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok} with all slots served, all running nodes see
     * each other as healthy and agree on the masters, and every running replica's link to its master is up.
     */
    public void awaitHealthy(Duration timeout) {
        Poll.until("redis cluster on " + ports + " to be healthy", timeout, this::healthy, this::diagnostics);
    }

    /** Whether every running node is in a healthy, agreed cluster (see {@link #awaitHealthy}). */
    public boolean healthy() throws IOException {
        return RedisClusterHealth.healthy(runningPorts());
    }

    /** Stops every node (SIGTERM: AOF is flushed); the directories stay for a later restart. */
    @Override
    public void close() {
        for (int port : ports) {
            node(port).stop(Duration.ofSeconds(10), false);
        }
        synchronized (Infra.LOCK) {
            if (state().equals(System.getProperty(SHARED_PROPERTY))) {
                System.clearProperty(SHARED_PROPERTY);
            }
        }
    }

    /** Ports whose redis-server process is alive. */
    public List<Integer> runningPorts() {
        return ports.stream().filter(p -> node(p).running()).toList();
    }

    /** What each node says, for failure messages. */
    public String diagnostics() {
        return RedisClusterHealth.diagnostics(ports, binary, p -> node(p).log());
    }

    /** The {@code key:value} lines of an INFO / CLUSTER INFO reply. */
    static Map<String, String> fields(String info) {
        return RedisClusterHealth.fields(info);
    }

    // ------------------------------------------------------------------------------------------------ internals

    List<Path> pidFiles() {
        return ports.stream().map(p -> node(p).pidFile()).toList();
    }

    Path nodeDir(int port) {
        return node(port).dir();
    }

    private RedisNode node(int port) {
        return new RedisNode(binary, baseDir, port, nodeTimeoutMillis, daemonize, security.configLines(port));
    }

    private void requirePort(int port) {
        if (!ports.contains(port)) {
            throw new IllegalArgumentException(port + " is not a node of this cluster " + ports);
        }
    }

    private void boot() {
        boolean reuse = ports.stream().allMatch(p -> node(p).configured());
        boolean allRunning = ports.stream().allMatch(p -> node(p).running());
        if (reuse && allRunning) {
            awaitHealthy(START_TIMEOUT);
            return;
        }
        if (!reuse) {
            for (int port : ports) {
                RedisNode node = node(port);
                node.stop(Duration.ofSeconds(5), true);
                Dirs.deleteRecursively(node.dir());
                node.writeConfig();
            }
        }
        for (int port : ports) {
            RedisNode node = node(port);
            if (!node.running()) {
                node.launch();
            }
        }
        if (!reuse) {
            try {
                RedisClusterFormation.form(ports, this::diagnostics);
            } catch (IOException e) {
                throw new IllegalStateException("forming the redis cluster failed: " + e + "\n" + diagnostics(), e);
            }
        }
        awaitHealthy(START_TIMEOUT);
    }
}
