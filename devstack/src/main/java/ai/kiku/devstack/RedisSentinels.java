package ai.kiku.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Sentinel setup ({@code kiku.redis.mode=sentinel}): a primary, a replica and three sentinels (quorum 2)
 * watching master {@link #MASTER_NAME}, all redis-server processes on loopback, every one with the same password, the
 * data servers refusing writes they cannot replicate ({@link #DATA_SERVER}).
 */
public final class RedisSentinels implements RedisServers, AutoCloseable {

    /** Not the default "mymaster": tests over it prove the master name reaches every client. */
    public static final String MASTER_NAME = "kiku-primary";
    public static final String SHARED_PASSWORD = "kiku-sentinel-secret";
    private static final String SHARED_PROPERTY = "kiku.infra.redis.sentinel.shared";
    private static final int SENTINELS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /**
     * What docs/operations.md recommends for stage 2 (deploy/compose/docker-compose.stage2.yml): a primary refuses
     * writes (NOREPLICAS) while no replica has acknowledged within 3 s, so the old primary of a failover stops taking
     * writes the moment its replica is promoted away from it, instead of taking writes that the resync then discards.
     */
    static final List<String> DATA_SERVER = List.of("min-replicas-to-write 1", "min-replicas-max-lag 3");

    private final Path binary;
    private final Path dir;
    /** The first primary, its replica, then the sentinels. */
    private final List<Integer> ports;
    private final String password;
    private final boolean daemonize;

    private RedisSentinels(Path binary, Path dir, List<Integer> ports, String password, boolean daemonize) {
        this.binary = binary;
        this.dir = dir;
        this.ports = List.copyOf(ports);
        this.password = password;
        this.daemonize = daemonize;
    }

    /** The JVM-wide setup (with {@link #SHARED_PASSWORD}), started on first use and stopped at JVM exit. */
    public static RedisSentinels shared() {
        synchronized (Infra.LOCK) {
            String state = System.getProperty(SHARED_PROPERTY);
            if (state != null) {
                String[] p = state.split("\n");
                return new RedisSentinels(Path.of(p[0]), Path.of(p[1]),
                        Arrays.stream(p[2].split(",")).map(Integer::valueOf).toList(), SHARED_PASSWORD, false);
            }
            RedisSentinels redis = startPrivate("sentinel", SHARED_PASSWORD);
            System.setProperty(SHARED_PROPERTY, redis.binary + "\n" + redis.dir + "\n"
                    + redis.ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
            return redis;
        }
    }

    /** A setup of its own (for failover tests); {@code password} may be null; close it. */
    public static RedisSentinels startPrivate(String name, String password) {
        Path target = Infra.moduleTarget();
        Leftovers.cleanupStale(target.resolve("kiku-infra"));
        Path dir = target.resolve("kiku-infra").resolve(Long.toString(Infra.jvmPid()))
                .resolve(name + "-" + Long.toString(System.nanoTime(), 36));
        RedisSentinels redis = start(dir, target.resolve("kiku-infra").resolve("bin"), null, password, false);
        Runtime.getRuntime().addShutdownHook(new Reaper(redis.pidFiles(), List.of()));
        return redis;
    }

    /**
     * Starts the setup in {@code dir} on {@code wantedPorts} (primary, replica, three sentinels; null: free ports).
     * When {@code dir} holds this setup already, only the stopped servers are started again with the config they
     * have (sentinels rewrite theirs with the current primary).
     */
    public static RedisSentinels start(Path dir, Path binDir, List<Integer> wantedPorts, String password, boolean daemonize) {
        Path binary = RedisBinary.locate(binDir);
        long t0 = System.nanoTime();
        List<Integer> ports = wantedPorts != null ? wantedPorts : Ports.freePorts(2 + SENTINELS, 0);
        RedisSentinels redis = new RedisSentinels(binary, dir.toAbsolutePath(), ports, password, daemonize);
        boolean reuse = redis.processes().stream().allMatch(p -> Files.isRegularFile(p.dir().resolve("redis.conf")));
        if (!reuse) {
            redis.processes().forEach(p -> p.stop(Duration.ofSeconds(5), true));
            Dirs.deleteRecursively(dir);
            redis.writeConfigs();
        }
        for (RedisProcess p : redis.processes()) {
            if (!p.running()) {
                p.launch();
            }
        }
        redis.awaitReady();
        Infra.log("Redis Sentinel " + redis.hosts() + " (primary " + redis.primaryPort() + ") ready in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return redis;
    }

    private void writeConfigs() {
        int primary = ports.get(0);
        server(0).writeConfig(daemonize, DATA_SERVER);
        List<String> replica = new ArrayList<>(DATA_SERVER);
        replica.add("replicaof 127.0.0.1 " + primary);
        server(1).writeConfig(daemonize, replica);
        for (int i = 2; i < ports.size(); i++) {
            List<String> lines = new ArrayList<>(List.of(
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primary + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 5000"));
            if (password != null) {
                lines.add("sentinel auth-pass " + MASTER_NAME + " " + password);
                lines.add("sentinel sentinel-pass " + password);
            }
            server(i).writeConfig(daemonize, lines);
        }
    }

    @Override
    public String mode() {
        return "sentinel";
    }

    /** The sentinels' URIs: what {@code kiku.redis.hosts} lists in sentinel mode. */
    @Override
    public String hosts() {
        return ports.subList(2, ports.size()).stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kiku.redis.mode", mode());
        config.put("kiku.redis.hosts", hosts());
        config.put("kiku.redis.master-name", MASTER_NAME);
        if (password != null) {
            config.put("kiku.redis.password", password);
        }
        return config;
    }

    public List<Integer> ports() {
        return ports;
    }

    /** The two data servers' ports (whichever is primary now). */
    public List<Integer> serverPorts() {
        return ports.subList(0, 2);
    }

    public String password() {
        return password;
    }

    /** The primary as the first answering sentinel names it. */
    public int primaryPort() {
        for (int i = 2; i < ports.size(); i++) {
            try (Resp r = server(i).connect(2000)) {
                List<?> addr = (List<?>) r.call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
                return Integer.parseInt(String.valueOf(addr.get(1)));
            } catch (IOException | RuntimeException e) {
                // ask the next one
            }
        }
        throw new IllegalStateException("no sentinel answers on " + ports.subList(2, ports.size()));
    }

    /**
     * Makes the replica the primary (SENTINEL FAILOVER, as an operator would) and waits until every sentinel names
     * it and it is a primary (the old one then resyncs from it in the background). Returns the new primary's port.
     */
    public int failover() {
        int old = primaryPort();
        int next = old == ports.get(0) ? ports.get(1) : ports.get(0);
        server(2).call("SENTINEL", "FAILOVER", MASTER_NAME);
        Poll.until("sentinel failover to " + next, TIMEOUT, () -> roleOf(next).equals("master")
                && ports.subList(2, ports.size()).stream().allMatch(s -> namedPrimary(s) == next), this::diagnostics);
        return next;
    }

    /** One command on a data server (authenticated), for test assertions. */
    public Object call(int port, String... args) {
        return processFor(port).call(args);
    }

    @Override
    public void flushAll() {
        call(primaryPort(), "FLUSHALL");
    }

    @Override
    public void close() {
        processes().forEach(p -> p.stop(Duration.ofSeconds(10), false));
    }

    List<Path> pidFiles() {
        return processes().stream().map(RedisProcess::pidFile).toList();
    }

    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (RedisProcess p : processes()) {
            sb.append("--- ").append(p.log()).append(" ---\n").append(Processes.tail(p.log(), 15)).append('\n');
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void awaitReady() {
        Poll.until("sentinel setup on " + ports, TIMEOUT, () -> {
            int primary = primaryPort();
            int replica = primary == ports.get(0) ? ports.get(1) : ports.get(0);
            return roleOf(primary).equals("master") && linkUp(replica);
        }, this::diagnostics);
    }

    private String roleOf(int port) {
        try {
            return String.valueOf(((List<?>) processFor(port).call("ROLE")).get(0));
        } catch (RuntimeException e) {
            return "down";
        }
    }

    private boolean linkUp(int replicaPort) {
        try {
            String info = String.valueOf(processFor(replicaPort).call("INFO", "replication"));
            return info.contains("role:slave") && info.contains("master_link_status:up");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private int namedPrimary(int sentinelPort) {
        try {
            List<?> addr = (List<?>) processFor(sentinelPort).call("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
            return Integer.parseInt(String.valueOf(addr.get(1)));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private List<RedisProcess> processes() {
        List<RedisProcess> all = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            all.add(server(i));
        }
        return all;
    }

    private RedisProcess processFor(int port) {
        return server(ports.indexOf(port));
    }

    private RedisProcess server(int index) {
        int port = ports.get(index);
        boolean sentinel = index >= 2;
        return new RedisProcess(binary, dir.resolve((sentinel ? "sentinel-" : "redis-") + port), port, password, sentinel);
    }
}
