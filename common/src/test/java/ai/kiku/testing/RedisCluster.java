package ai.kiku.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A real 6-node Redis Cluster (3 masters, 3 replicas) of redis-server processes, for tests and the dev stack. */
public final class RedisCluster implements AutoCloseable {

    public static final int SLOTS = 16384;
    static final int BUS_OFFSET = 10000;
    private static final String SHARED_PROPERTY = "kiku.infra.redis.shared";
    private static final String EMBEDDED_VERSION = "6.2.6";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path binary;
    private final Path baseDir;
    private final List<Integer> ports;
    private final int nodeTimeoutMillis;
    private final boolean daemonize;

    private RedisCluster(Path binary, Path baseDir, List<Integer> ports, int nodeTimeoutMillis, boolean daemonize) {
        this.binary = binary;
        this.baseDir = baseDir;
        this.ports = List.copyOf(ports);
        this.nodeTimeoutMillis = nodeTimeoutMillis;
        this.daemonize = daemonize;
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
            Infra.cleanupStale(target.resolve("kiku-infra"));
            long t0 = System.nanoTime();
            RedisCluster cluster = start(target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid())).resolve("redis"),
                    target.resolve("kiku-infra").resolve("bin"), null, 5000, false);
            Infra.log("Redis Cluster " + cluster.hosts() + " (" + cluster.binary() + ") ready in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Runtime.getRuntime().addShutdownHook(new Infra.Reaper(cluster.pidFiles(), List.of()));
            System.setProperty(SHARED_PROPERTY, cluster.state());
            return cluster;
        }
    }

    /** A cluster of its own (for tests that kill nodes), with a short node timeout for quick failover; close it. */
    public static RedisCluster startPrivate(String name) {
        Path target = Infra.moduleTarget();
        Infra.cleanupStale(target.resolve("kiku-infra"));
        String unique = name + "-" + Long.toString(System.nanoTime(), 36);
        RedisCluster cluster = start(target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid())).resolve(unique),
                target.resolve("kiku-infra").resolve("bin"), null, 1000, false);
        Runtime.getRuntime().addShutdownHook(new Infra.Reaper(cluster.pidFiles(), List.of()));
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
        Path binary = locateBinary(binDir);
        if (wantedPorts != null && wantedPorts.size() != 6) {
            throw new IllegalArgumentException("a cluster needs 6 ports, got " + wantedPorts);
        }
        // free ports can be grabbed by someone else between our check and redis binding them: try other ones
        int attempts = wantedPorts == null ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            List<Integer> ports = wantedPorts != null ? wantedPorts : freePorts();
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
                ports.forEach(p -> Infra.deleteRecursively(cluster.nodeDir(p)));
            }
        }
    }

    /** Starts nothing: a handle on a cluster this class started in {@code dir} earlier (e.g. by another JVM). */
    public static RedisCluster attach(Path dir, Path binary, List<Integer> ports, int nodeTimeoutMillis, boolean daemonize) {
        return new RedisCluster(binary, dir.toAbsolutePath(), ports, nodeTimeoutMillis, daemonize);
    }

    private static List<Integer> freePorts() {
        Set<Integer> taken = new HashSet<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int p = Infra.freePort(BUS_OFFSET, taken);
            ports.add(p);
            taken.add(p);
            taken.add(p + BUS_OFFSET);
        }
        return ports;
    }

    /** redis-server on PATH (or KIKU_REDIS_SERVER), else the one shipped in the embedded-redis jar. */
    static Path locateBinary(Path binDir) {
        String env = System.getenv("KIKU_REDIS_SERVER");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        if (!Infra.forceEmbedded()) {
            Optional<Path> onPath = Infra.onPath("redis-server");
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
        Optional<Path> jar = Infra.findJarInLocalRepo("com/github/codemonstur", "embedded-redis", "1.4");
        if (!Infra.extractResource(resource, jar, target)) {
            throw new IllegalStateException("no redis-server on PATH and " + resource + " is neither on the classpath "
                    + "(com.github.codemonstur:embedded-redis) nor in " + Infra.localMavenRepo()
                    + "; install redis-server or set KIKU_REDIS_SERVER");
        }
        Infra.makeExecutable(target);
        return target;
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

    /** {@code redis://127.0.0.1:PORT} of all six nodes. */
    public List<String> nodeUris() {
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    /** Comma-joined {@link #nodeUris()}, the value for {@code kiku.redis.hosts} / {@code quarkus.redis.hosts}. */
    public String hosts() {
        return String.join(",", nodeUris());
    }

    public List<Integer> ports() {
        return ports;
    }

    public Path binary() {
        return binary;
    }

    public Path baseDir() {
        return baseDir;
    }

    /** The port of the master that currently serves {@code slot}, as a running node sees it. */
    public int masterPortForSlot(int slot) {
        IOException last = null;
        for (int port : runningPorts()) {
            try (Resp r = Resp.connect(port)) {
                for (Object range : (List<?>) r.call("CLUSTER", "SLOTS")) {
                    List<?> entry = (List<?>) range;
                    long lo = (Long) entry.get(0);
                    long hi = (Long) entry.get(1);
                    if (slot >= lo && slot <= hi) {
                        return ((Long) ((List<?>) entry.get(2)).get(1)).intValue();
                    }
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no running node knows the master of slot " + slot, last);
    }

    /** The port of the master that serves {@code key}. */
    public int masterPortForKey(String key) {
        return masterPortForSlot(slotOf(key));
    }

    /** Ports of the nodes that are masters right now. */
    public List<Integer> masterPorts() {
        List<Integer> masters = new ArrayList<>();
        for (int port : runningPorts()) {
            if ("master".equals(role(port))) {
                masters.add(port);
            }
        }
        return masters;
    }

    /** Ports of the nodes that are replicas right now. */
    public List<Integer> replicaPorts() {
        List<Integer> replicas = new ArrayList<>();
        for (int port : runningPorts()) {
            if ("slave".equals(role(port))) {
                replicas.add(port);
            }
        }
        return replicas;
    }

    /** Kills a node with SIGKILL (a crash, not a shutdown); its replica takes over after the node timeout. */
    public void killNode(int port) {
        requirePort(port);
        Infra.liveProcess(pidFile(port), "redis-server").ifPresent(ph -> Infra.terminate(ph, Duration.ofSeconds(5), true));
        Infra.await("redis node " + port + " to be down", Duration.ofSeconds(10), () -> !ping(port), () -> "");
    }

    /** Starts a killed node again with its data and cluster config, and waits until the cluster is healthy. */
    public void restartNode(int port) {
        requirePort(port);
        if (Infra.liveProcess(pidFile(port), "redis-server").isEmpty()) {
            launch(port);
        }
        awaitHealthy(START_TIMEOUT);
    }

    /** FLUSHALL on every master (replicas follow), for tests that need a clean slate. */
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
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        int end = bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '{') {
                for (int j = i + 1; j < bytes.length; j++) {
                    if (bytes[j] == '}') {
                        if (j > i + 1) {
                            start = i + 1;
                            end = j;
                        }
                        break;
                    }
                }
                break;
            }
        }
        return crc16(bytes, start, end) & (SLOTS - 1);
    }

    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok} with all slots served, all running nodes see
     * each other as healthy and agree on the masters, and every running replica's link to its master is up.
     */
    public void awaitHealthy(Duration timeout) {
        Infra.await("redis cluster on " + ports + " to be healthy", timeout, this::healthy, this::diagnostics);
    }

    /** Whether every running node is in a healthy, agreed cluster (see {@link #awaitHealthy}). */
    public boolean healthy() throws IOException {
        List<Integer> running = runningPorts();
        if (running.isEmpty()) {
            return false;
        }
        Set<String> views = new HashSet<>();
        for (int port : running) {
            try (Resp r = Resp.connect(port)) {
                Map<String, String> info = fields(r.text("CLUSTER", "INFO"));
                if (!"ok".equals(info.get("cluster_state")) || !String.valueOf(SLOTS).equals(info.get("cluster_slots_ok"))) {
                    return false;
                }
                Map<String, String> repl = fields(r.text("INFO", "replication"));
                if ("slave".equals(repl.get("role")) && !"up".equals(repl.get("master_link_status"))) {
                    return false;
                }
                Set<String> mastersWithSlots = new TreeSet<>();
                for (String line : r.text("CLUSTER", "NODES").split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    String[] f = line.trim().split(" ");
                    int nodePort = nodePort(f[1]);
                    boolean bad = f[2].contains("fail") || f[2].contains("handshake") || f[2].contains("noaddr");
                    if (running.contains(nodePort) && (bad || !"connected".equals(f[7]))) {
                        return false;
                    }
                    if (f[2].contains("master") && f.length > 8 && !bad) {
                        mastersWithSlots.add(nodePort + ":" + String.join(" ", Arrays.copyOfRange(f, 8, f.length)));
                    }
                }
                views.add(String.join(",", mastersWithSlots));
            }
        }
        return views.size() == 1;
    }

    /** Stops every node (SIGTERM: AOF is flushed); the directories stay for a later restart. */
    @Override
    public void close() {
        for (int port : ports) {
            Infra.liveProcess(pidFile(port), "redis-server").ifPresent(ph -> Infra.terminate(ph, Duration.ofSeconds(10), false));
        }
        synchronized (Infra.LOCK) {
            if (state().equals(System.getProperty(SHARED_PROPERTY))) {
                System.clearProperty(SHARED_PROPERTY);
            }
        }
    }

    /** Ports whose redis-server process is alive. */
    public List<Integer> runningPorts() {
        return ports.stream().filter(p -> Infra.liveProcess(pidFile(p), "redis-server").isPresent()).toList();
    }

    // ------------------------------------------------------------------------------------------------ internals

    List<Path> pidFiles() {
        return ports.stream().map(this::pidFile).toList();
    }

    Path nodeDir(int port) {
        return baseDir.resolve("redis-" + port);
    }

    private Path pidFile(int port) {
        return nodeDir(port).resolve("redis.pid");
    }

    private void requirePort(int port) {
        if (!ports.contains(port)) {
            throw new IllegalArgumentException(port + " is not a node of this cluster " + ports);
        }
    }

    private void boot() {
        boolean reuse = ports.stream().allMatch(p -> Files.isRegularFile(nodeDir(p).resolve("nodes.conf"))
                && Files.isRegularFile(nodeDir(p).resolve("redis.conf")));
        boolean allRunning = ports.stream().allMatch(p -> Infra.liveProcess(pidFile(p), "redis-server").isPresent());
        if (reuse && allRunning) {
            awaitHealthy(START_TIMEOUT);
            return;
        }
        if (!reuse) {
            for (int port : ports) {
                Infra.liveProcess(pidFile(port), "redis-server").ifPresent(ph -> Infra.terminate(ph, Duration.ofSeconds(5), true));
                Infra.deleteRecursively(nodeDir(port));
                writeConfig(port);
            }
        }
        for (int port : ports) {
            if (Infra.liveProcess(pidFile(port), "redis-server").isEmpty()) {
                launch(port);
            }
        }
        if (!reuse) {
            try {
                form();
            } catch (IOException e) {
                throw new IllegalStateException("forming the redis cluster failed: " + e + "\n" + diagnostics(), e);
            }
        }
        awaitHealthy(START_TIMEOUT);
    }

    private void writeConfig(int port) {
        Path dir = nodeDir(port);
        String conf = String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + quote(dir),
                "daemonize " + (daemonize ? "yes" : "no"),
                "pidfile " + quote(dir.resolve("redis.pid")),
                "logfile " + quote(dir.resolve("redis.log")),
                "cluster-enabled yes",
                "cluster-config-file nodes.conf",
                "cluster-node-timeout " + nodeTimeoutMillis,
                // a replica may always take over, however long it was disconnected: tests kill nodes at will
                "cluster-replica-validity-factor 0",
                // replicas sync at once instead of waiting 5 s for more replicas to share a diskless transfer
                "repl-diskless-sync-delay 0",
                "appendonly yes",
                "appendfsync everysec",
                "save \"\"",
                "");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("redis.conf"), conf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(Path p) {
        return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void launch(int port) {
        Path dir = nodeDir(port);
        Path out = dir.resolve("stdout.log");
        Process p = Infra.launch(List.of(binary.toString(), dir.resolve("redis.conf").toString()), out);
        Infra.await("redis-server on port " + port, Duration.ofSeconds(30), () -> {
            if (!daemonize && !p.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + p.exitValue());
            }
            return ping(port);
        }, () -> "--- " + out + " ---\n" + Infra.tail(out, 20) + "\n--- redis.log ---\n" + Infra.tail(dir.resolve("redis.log"), 30));
        Infra.await("pid file of redis " + port, Duration.ofSeconds(10),
                () -> Infra.liveProcess(pidFile(port), "redis-server").isPresent(), () -> "");
    }

    private static boolean ping(int port) {
        try (Resp r = new Resp("127.0.0.1", port, 1000)) {
            return "PONG".equals(r.call("PING"));
        } catch (IOException e) {
            return false;
        }
    }

    private void form() throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            try (Resp r = Resp.connect(ports.get(i))) {
                r.call("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
                ids.add(r.text("CLUSTER", "MYID"));
            }
        }
        try (Resp first = Resp.connect(ports.get(0))) {
            for (int port : ports.subList(1, ports.size())) {
                first.call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(port));
            }
        }
        int per = SLOTS / 3;
        for (int i = 0; i < 3; i++) {
            int lo = i * per + Math.min(i, SLOTS % 3);
            int hi = lo + per - 1 + (i < SLOTS % 3 ? 1 : 0);
            addSlots(ports.get(i), lo, hi);
        }
        Infra.await("all redis nodes to meet", Duration.ofSeconds(30), () -> {
            for (int port : ports) {
                try (Resp r = Resp.connect(port)) {
                    String nodes = r.text("CLUSTER", "NODES");
                    long known = nodes.lines().filter(l -> !l.isBlank() && !l.contains("handshake")).count();
                    if (known != ports.size()) {
                        return false;
                    }
                }
            }
            return true;
        }, this::diagnostics);
        for (int i = 3; i < 6; i++) {
            String masterId = ids.get(i - 3);
            int replicaPort = ports.get(i);
            Infra.await("replica " + replicaPort + " to replicate " + ports.get(i - 3), Duration.ofSeconds(30), () -> {
                try (Resp r = Resp.connect(replicaPort)) {
                    r.call("CLUSTER", "REPLICATE", masterId);
                    return true;
                }
            }, this::diagnostics);
        }
    }

    private static void addSlots(int port, int lo, int hi) throws IOException {
        try (Resp r = Resp.connect(port)) {
            try {
                r.call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(lo), Integer.toString(hi));
            } catch (Resp.ErrorReply e) {
                // Redis 6.2 (the embedded fallback) has no ADDSLOTSRANGE
                List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int s = lo; s <= hi; s++) {
                    cmd.add(Integer.toString(s));
                }
                r.call(cmd);
            }
        }
    }

    private String role(int port) {
        try (Resp r = Resp.connect(port)) {
            return fields(r.text("INFO", "replication")).get("role");
        } catch (IOException e) {
            return "down";
        }
    }

    private static int nodePort(String address) {
        String hostPort = address.contains("@") ? address.substring(0, address.indexOf('@')) : address;
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    static Map<String, String> fields(String info) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                map.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return map;
    }

    /** What each node says, for failure messages. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder("redis cluster ").append(ports).append(" (").append(binary).append(")\n");
        for (int port : ports) {
            sb.append("--- node ").append(port).append(": ");
            try (Resp r = new Resp("127.0.0.1", port, 1000)) {
                Map<String, String> info = fields(r.text("CLUSTER", "INFO"));
                sb.append("state=").append(info.get("cluster_state")).append(" slots_ok=").append(info.get("cluster_slots_ok"))
                        .append(" role=").append(fields(r.text("INFO", "replication")).get("role")).append('\n')
                        .append(r.text("CLUSTER", "NODES"));
            } catch (IOException e) {
                sb.append("unreachable (").append(e.getMessage()).append(")\n")
                        .append(Infra.tail(nodeDir(port).resolve("redis.log"), 10)).append('\n');
            }
        }
        return sb.toString();
    }
}
