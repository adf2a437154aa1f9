import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.Resp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The running scaled stack of one checkout, as the drills see it: ports, tokens, processes, Redis, PostgreSQL, nginx. */
final class Stack {

    final Path root;
    final Path state;
    final int offset;
    final String adminToken;
    final String paddleSecret;
    final RedisCluster redis;
    final Postgres pg;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    Stack(Path root, int offset) throws IOException {
        this.root = root;
        this.state = root.resolve(".kiku");
        this.offset = offset;
        this.adminToken = envOr("KIKU_ADMIN_TOKEN", () -> read("admin-token"));
        this.paddleSecret = envOr("KIKU_PADDLE_WEBHOOK_SECRETS", () -> read("paddle-webhook-secret")).split(",")[0].trim();
        Properties infra = new Properties();
        try (var in = Files.newInputStream(state.resolve("infra.properties"))) {
            infra.load(in);
        }
        List<Integer> ports = Arrays.stream(infra.getProperty("redis.ports").split(",")).map(Integer::valueOf).toList();
        // 5000 ms: the cluster-node-timeout DevStack gives the dev cluster (only used if a node is started again)
        this.redis = RedisCluster.attach(state.resolve("redis"), Path.of(infra.getProperty("redis.binary")), ports, 5000, true);
        this.pg = Postgres.attach(state.resolve("pg"), Path.of(infra.getProperty("pg.bin")),
                Integer.parseInt(infra.getProperty("pg.port")), "kiku", read("pg-password"));
    }

    int api() {
        return 8080 + offset;
    }

    int webhook() {
        return 8082 + offset;
    }

    int billing() {
        return 8083 + offset;
    }

    /** Instance i of a service listens on its public port + 10000 + 10·i (./kiku's rule). */
    int instancePort(int publicPort, int index) {
        return publicPort + 10000 + 10 * index;
    }

    static String instanceName(String service, int index) {
        return index == 0 ? service : service + "-" + index;
    }

    /** The scale ./kiku runs, as its --scale argument (api=3,billing=2,...). */
    String scale() throws IOException {
        List<String> parts = new ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("scale"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                parts.add(f[0].replace("-service", "") + "=" + f[1]);
            }
        }
        return String.join(",", parts);
    }

    int count(String service) throws IOException {
        for (String line : Files.readAllLines(state.resolve("scale"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals(service)) {
                return Integer.parseInt(f[1]);
            }
        }
        return 1;
    }

    long pid(String instance) throws IOException {
        return Long.parseLong(Files.readString(state.resolve("pids").resolve(instance + ".pid")).trim());
    }

    /** Runs ./kiku with this stack's port offset; its output goes to .kiku/logs/drills-kiku.log. Returns the process. */
    Process kiku(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("kiku").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(state.resolve("logs").resolve("drills-kiku.log").toFile()));
        pb.environment().put("KIKU_PORT_OFFSET", Integer.toString(offset));
        return pb.start();
    }

    /** ./kiku ARGS, waiting for it; fails when it fails. */
    void kikuAndWait(String... args) throws IOException, InterruptedException {
        Process p = kiku(args);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("./kiku " + String.join(" ", args) + " failed; see .kiku/logs/drills-kiku.log");
        }
    }

    /** Starts whatever instance of the scaled stack is not running (./kiku up is idempotent). */
    void bringBack() throws IOException, InterruptedException {
        kikuAndWait("up", "--no-build", "--scale", scale());
    }

    boolean ready(int port) {
        try {
            return get(port, "/q/health/ready", null).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    HttpResponse<String> get(int port, String path, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An admin call to billing through nginx; fails unless 2xx. */
    String admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + billing() + path))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + adminToken);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** Rows of a query on the stack's PostgreSQL (database kiku). */
    List<List<String>> sql(String query) throws IOException {
        try (var wire = ai.kiku.devstack.PgWire.connect(pg.host(), pg.port(), "kiku", read("pg-password"), "kiku")) {
            return wire.query(query);
        }
    }

    /** Entries waiting in the 64 usage streams (billing deletes what it has recorded), over the current masters. */
    long usageBacklog() throws IOException {
        long total = 0;
        for (int p = 0; p < 64; p++) {
            String key = String.format("kiku:{p%02d}:usage", p);
            try (Resp r = Resp.connect(redis.masterPortForKey(key))) {
                total += (Long) r.call("XLEN", key);
            }
        }
        return total;
    }

    Path nginxLog(String name) {
        return state.resolve("nginx").resolve("logs").resolve(name);
    }

    private String read(String name) {
        try {
            return Files.readString(state.resolve(name), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(".kiku/" + name + " is missing: is the stack up (./kiku up --scale ...)?", e);
        }
    }

    private static String envOr(String name, java.util.function.Supplier<String> fallback) {
        String v = System.getenv(name);
        return v != null && !v.isBlank() ? v : fallback.get();
    }
}
