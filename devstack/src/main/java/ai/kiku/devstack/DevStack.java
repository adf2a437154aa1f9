package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The infrastructure half of the {@code ./kiku} launcher: Redis (a cluster, or with {@code --redis standalone|sentinel}
 * see {@link DevRedis}) and PostgreSQL under {@code <repo>/.kiku/} whose processes outlive this JVM. Usage:
 * {@code DevStack up|down|status [--redis MODE] [--root DIR]}; {@code up} writes the service environment to
 * {@code .kiku/infra.env}.
 */
public final class DevStack {

    static final List<Integer> DEFAULT_REDIS_PORTS = List.of(7000, 7001, 7002, 7003, 7004, 7005);
    static final int DEFAULT_PG_PORT = 5433;
    static final String DB = "kiku";
    static final String DB_USER = "kiku";

    private final Path state;

    DevStack(Path root) {
        this.state = root.toAbsolutePath().normalize().resolve(".kiku");
    }

    public static void main(String[] args) {
        String command = args.length > 0 ? args[0] : "status";
        Path root = Path.of(System.getProperty("user.dir"));
        String redisMode = "cluster";
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals("--root")) {
                root = Path.of(args[i + 1]);
            } else if (args[i].equals("--redis")) {
                redisMode = args[i + 1];
            }
        }
        if (!DevRedis.MODES.contains(redisMode)) {
            System.err.println("kiku: --redis must be one of " + DevRedis.MODES + ", not " + redisMode);
            System.exit(2);
        }
        DevStack stack = new DevStack(root);
        try {
            int exit = switch (command) {
                case "up" -> stack.up(redisMode);
                case "down" -> stack.down();
                case "status" -> stack.status();
                default -> {
                    System.err.println("usage: DevStack up|down|status [--redis cluster|standalone|sentinel] [--root DIR]");
                    yield 2;
                }
            };
            System.exit(exit);
        } catch (RuntimeException e) {
            System.err.println("kiku: " + e.getMessage());
            System.exit(1);
        }
    }

    int up(String redisMode) {
        try {
            Files.createDirectories(state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties saved = load();

        long t0 = System.nanoTime();
        DevRedis.stopOthers(state, redisMode);
        Properties now = new Properties();
        RedisServers redis;
        if (redisMode.equals("cluster")) {
            RedisCluster cluster = RedisCluster.start(redisDir(), binDir(), chooseRedisPorts(saved), 5000, true);
            now.setProperty("redis.ports", join(cluster.ports()));
            now.setProperty("redis.binary", cluster.binary().toString());
            redis = cluster;
        } else {
            redis = DevRedis.up(state, binDir(), redisMode, saved, now, secret("redis-password"));
        }
        long redisMillis = (System.nanoTime() - t0) / 1_000_000;

        long t1 = System.nanoTime();
        int pgPort = choosePgPort(saved);
        String password = secret("pg-password");
        Postgres pg = Postgres.start(pgDir(), binDir(), pgPort, DB_USER, password, true);
        pg.createDatabaseIfMissing(DB);
        long pgMillis = (System.nanoTime() - t1) / 1_000_000;

        now.setProperty("pg.port", Integer.toString(pg.port()));
        now.setProperty("pg.bin", pg.binDir().toString());
        now.setProperty("pg.data", pg.dataDir().toString());
        store(now);

        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(DevRedis.env(redis));
        env.put("KIKU_DB_HOST", pg.host());
        env.put("KIKU_DB_PORT", Integer.toString(pg.port()));
        env.put("KIKU_DB_NAME", DB);
        env.put("KIKU_DB_USERNAME", pg.username());
        env.put("KIKU_DB_PASSWORD", pg.password());
        StringBuilder sb = new StringBuilder("# written by ./kiku up; sourced before starting the services\n");
        env.forEach((k, v) -> sb.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
        writePrivate(state.resolve("infra.env"), sb.toString());

        System.out.printf("redis %-10s %s  ready in %d ms%n", redis.mode(), redis.hosts(), redisMillis);
        System.out.printf("postgresql     %s  user %s  ready in %d ms (%s)%n", pg.jdbcUrl(DB), pg.username(), pgMillis, pg.binDir());
        return 0;
    }

    int down() {
        Properties saved = load();
        Optional<Postgres> pg = postgres(saved);
        if (pg.isPresent()) {
            try {
                pg.get().stop();
            } catch (RuntimeException e) {
                System.err.println("pg_ctl stop failed, killing PostgreSQL: " + e.getMessage());
            }
            Leftovers.killServersUnder(pg.get().dataDir());
        }
        DevRedis.MODES.forEach(m -> Leftovers.killServersUnder(DevRedis.dir(state, m)));
        boolean left = !runningRedis(saved).isEmpty() || pg.map(Postgres::isRunning).orElse(false);
        System.out.println(left ? "infrastructure: some processes are still running" : "infrastructure: stopped");
        return left ? 1 : 0;
    }

    int status() {
        Properties saved = load();
        if (saved.isEmpty()) {
            System.out.println("redis cluster  not set up (./kiku up)");
            System.out.println("postgresql     not set up (./kiku up)");
            return 3;
        }
        String mode = saved.getProperty("redis.mode", "cluster");
        if (!mode.equals("cluster")) {
            boolean redisUp = DevRedis.status(state, mode, saved);
            boolean pgUp = postgres(saved).map(Postgres::isRunning).orElse(false);
            System.out.printf("postgresql     %-22s port %s%n", pgUp ? "ready" : "down", saved.getProperty("pg.port"));
            return redisUp && pgUp ? 0 : 3;
        }
        List<Integer> ports = ports(saved);
        List<Integer> running = runningRedis(saved);
        String health = "down";
        if (running.size() == ports.size()) {
            try {
                health = redisHandle(saved).healthy() ? "ready" : "running, not healthy";
            } catch (IOException e) {
                health = "running, not answering";
            }
        } else if (!running.isEmpty()) {
            health = running.size() + "/" + ports.size() + " nodes running";
        }
        System.out.printf("redis cluster  %-22s ports %s%n", health, join(ports));
        Optional<Postgres> pg = postgres(saved);
        boolean pgUp = pg.map(Postgres::isRunning).orElse(false);
        System.out.printf("postgresql     %-22s port %s%n", pgUp ? "ready" : "down", saved.getProperty("pg.port"));
        return health.equals("ready") && pgUp ? 0 : 3;
    }

    // ------------------------------------------------------------------------------------------------ internals

    private Path redisDir() {
        return state.resolve("redis");
    }

    private Path pgDir() {
        return state.resolve("pg");
    }

    private Path binDir() {
        return state.resolve("bin");
    }

    /** The saved ports when that cluster exists (its nodes.conf names them), else 7000-7005 if free, else any. */
    private List<Integer> chooseRedisPorts(Properties saved) {
        List<Integer> previous = ports(saved);
        if (!previous.isEmpty()) {
            boolean mine = previous.stream().allMatch(p -> Files.isRegularFile(redisDir().resolve("redis-" + p).resolve("nodes.conf")));
            boolean usable = previous.stream().allMatch(p -> isOurRedis(p) || (Ports.portFree(p) && Ports.portFree(p + RedisCluster.BUS_OFFSET)));
            if (mine && usable) {
                return previous;
            }
            System.out.println("redis ports " + previous + " are taken: creating a new cluster");
        }
        Leftovers.killServersUnder(redisDir());
        Dirs.deleteRecursively(redisDir());
        if (DEFAULT_REDIS_PORTS.stream().allMatch(p -> Ports.portFree(p) && Ports.portFree(p + RedisCluster.BUS_OFFSET))) {
            return DEFAULT_REDIS_PORTS;
        }
        System.out.println("redis ports 7000-7005 (or their bus ports 17000-17005) are busy: using free ports");
        return null;
    }

    private boolean isOurRedis(int port) {
        return Processes.liveProcess(redisDir().resolve("redis-" + port).resolve("redis.pid"), "redis-server").isPresent();
    }

    private int choosePgPort(Properties saved) {
        int previous = Integer.parseInt(saved.getProperty("pg.port", "0"));
        if (previous > 0) {
            Optional<Postgres> pg = postgres(saved);
            if (pg.isPresent() && pg.get().isRunning() || Ports.portFree(previous)) {
                return previous;
            }
        }
        if (Ports.portFree(DEFAULT_PG_PORT)) {
            return DEFAULT_PG_PORT;
        }
        System.out.println("port " + DEFAULT_PG_PORT + " is busy: PostgreSQL gets a free port");
        return 0;
    }

    private Optional<Postgres> postgres(Properties saved) {
        String port = saved.getProperty("pg.port");
        String bin = saved.getProperty("pg.bin");
        if (port == null || bin == null || !Files.isRegularFile(state.resolve("pg-password"))) {
            return Optional.empty();
        }
        return Optional.of(Postgres.attach(pgDir(), Path.of(bin), Integer.parseInt(port), DB_USER, secret("pg-password")));
    }

    private RedisCluster redisHandle(Properties saved) {
        return RedisCluster.attach(redisDir(), Path.of(saved.getProperty("redis.binary", "redis-server")), ports(saved), 5000, true);
    }

    private List<Integer> runningRedis(Properties saved) {
        return ports(saved).stream().filter(this::isOurRedis).toList();
    }

    private static List<Integer> ports(Properties saved) {
        String ports = saved.getProperty("redis.ports", "");
        return ports.isBlank() ? List.of() : Arrays.stream(ports.split(",")).map(Integer::valueOf).toList();
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    /** A secret kept in {@code .kiku/<name>} (mode 600), generated on first use. */
    private String secret(String name) {
        Path file = state.resolve(name);
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            String secret = HexFormat.of().formatHex(bytes);
            writePrivate(file, secret + "\n");
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePrivate(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties load() {
        Properties p = new Properties();
        Path file = state.resolve("infra.properties");
        if (Files.isRegularFile(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return p;
    }

    private void store(Properties p) {
        try (var out = Files.newOutputStream(state.resolve("infra.properties"))) {
            p.store(out, "./kiku infrastructure state");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
