package ai.kiku.devstack;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Redis half of {@link DevStack} for {@code ./kiku up --redis standalone|sentinel}: a password-protected server, or
 * a primary, replica and three sentinels, under {@code .kiku/redis-<mode>/}, outliving the JVM like the cluster.
 */
final class DevRedis {

    static final List<String> MODES = List.of("cluster", "standalone", "sentinel");
    static final int DEFAULT_STANDALONE_PORT = 7010;
    /** Primary, replica, then the three sentinels. */
    static final List<Integer> DEFAULT_SENTINEL_PORTS = List.of(7020, 7021, 7022, 7023, 7024);

    private DevRedis() {
    }

    static Path dir(Path state, String mode) {
        return state.resolve(mode.equals("cluster") ? "redis" : "redis-" + mode);
    }

    /** Stops the servers of every mode but {@code mode} (a stack switched from one topology to another). */
    static void stopOthers(Path state, String mode) {
        MODES.stream().filter(m -> !m.equals(mode)).forEach(m -> Leftovers.killServersUnder(dir(state, m)));
    }

    /** Starts (or finds running) the standalone server or Sentinel setup; records its ports in {@code now}. */
    static RedisServers up(Path state, Path binDir, String mode, Properties saved, Properties now, String password) {
        String key = "redis." + mode + ".ports";
        List<Integer> previous = Arrays.stream(saved.getProperty(key, "").split(",")).filter(s -> !s.isBlank())
                .map(Integer::valueOf).toList();
        List<Integer> defaults = mode.equals("standalone") ? List.of(DEFAULT_STANDALONE_PORT) : DEFAULT_SENTINEL_PORTS;
        List<Integer> ports = usable(state, mode, previous) ? previous : usable(state, mode, defaults) ? defaults : null;
        if (ports == null) {
            System.out.println("redis ports " + defaults + " are busy: using free ports");
            Leftovers.killServersUnder(dir(state, mode));
            Dirs.deleteRecursively(dir(state, mode));
        } else if (!ports.equals(previous)) {
            Dirs.deleteRecursively(dir(state, mode));
        }
        RedisServers redis;
        if (mode.equals("standalone")) {
            RedisStandalone standalone = RedisStandalone.start(dir(state, mode), binDir, ports == null ? 0 : ports.get(0),
                    password, false, true);
            now.setProperty(key, Integer.toString(standalone.port()));
            redis = standalone;
        } else {
            RedisSentinels sentinels = RedisSentinels.start(dir(state, mode), binDir, ports, password, true);
            now.setProperty(key, String.join(",", sentinels.ports().stream().map(String::valueOf).toList()));
            redis = sentinels;
        }
        now.setProperty("redis.mode", mode);
        return redis;
    }

    /** The KIKU_* variables of the services for these servers. */
    static Map<String, String> env(RedisServers redis) {
        Map<String, String> env = new LinkedHashMap<>();
        redis.config().forEach((k, v) -> env.put(k.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        return env;
    }

    /** One status line for a standalone or Sentinel setup; whether every server runs. */
    static boolean status(Path state, String mode, Properties saved) {
        List<String> ports = Arrays.stream(saved.getProperty("redis." + mode + ".ports", "").split(","))
                .filter(s -> !s.isBlank()).toList();
        long running = ports.stream().filter(p -> ours(state, mode, Integer.parseInt(p))).count();
        boolean up = !ports.isEmpty() && running == ports.size();
        System.out.printf("redis %-9s %-22s ports %s%n", mode, up ? "ready" : running + "/" + ports.size() + " running",
                String.join(",", ports));
        return up;
    }

    /** Whether a redis-server of this mode's directory runs on {@code port}. */
    private static boolean ours(Path state, String mode, int port) {
        Path d = dir(state, mode);
        List<Path> pidFiles = mode.equals("standalone") ? List.of(d.resolve("redis.pid"))
                : List.of(d.resolve("redis-" + port).resolve("redis.pid"), d.resolve("sentinel-" + port).resolve("redis.pid"));
        return pidFiles.stream().anyMatch(f -> Processes.liveProcess(f, "redis-server").isPresent());
    }

    /** Whether these ports are this mode's servers already, or free. */
    private static boolean usable(Path state, String mode, List<Integer> ports) {
        return !ports.isEmpty() && ports.stream().allMatch(p -> Ports.portFree(p) || ours(state, mode, p));
    }
}
