package ai.kiku.api;

import ai.kiku.api.support.FakeBilling;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.api.support.PackagedInstances;
import ai.kiku.devstack.Nginx;
import ai.kiku.devstack.NginxConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stage 3 of the scaling plan, for real: Debian's nginx with the deploy/nginx config in front of two
 * packaged gateway instances, restarted one at a time (as a Kubernetes rolling update with
 * maxUnavailable 0 does) under steady metered load. Not one request may fail, and every successful
 * call must be charged exactly once: a draining instance answers with Connection: close, then stops
 * accepting; a POST nginx wrote into a connection still in its accept queue is reset unread, and nginx
 * sends it to the other instance with the same attempt id (which runs it once).
 */
class RollingRestartBehindNginxIT {

    /** What one local-echo call with a tiny body costs: the per-request price. */
    private static final long CALL_MICROS = 1000;
    private static final int WORKERS = 8;
    /** How many times every instance restarts (more to hunt a rare race: -Dkiku.it.rolling-rounds=10). */
    private static final int ROUNDS = Integer.getInteger("kiku.it.rolling-rounds", 1);
    /** fail_timeout of the template's upstream servers. */
    private static final long NGINX_FAIL_TIMEOUT_MILLIS = 2_000;
    private static final String TINY_CHAT = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static PackagedInstances instances;
    private static Nginx nginx;
    private static int apiPort;

    @BeforeAll
    static void startTwoInstancesBehindNginx() throws Exception {
        instances = PackagedInstances.start("rolling-it", 2);
        apiPort = freePort();
        Path target = Path.of(System.getProperty("basedir", ".")).resolve("target");
        // nginx fronts all four services; only api has instances here (the others answer 503 problems)
        NginxConfig config = new NginxConfig(NginxConfig.templateDirFrom(target), "127.0.0.1").workers("1")
                .attemptToken(PackagedInstances.ATTEMPT_TOKEN)
                .service("api", apiPort, instances.ports())
                .service("bot", freePort(), List.of())
                .service("webhook", freePort(), List.of())
                .service("billing", freePort(), List.of());
        nginx = Nginx.start(config, target.resolve("nginx-rolling-it"), List.of(apiPort));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (instances != null) {
            instances.close();
        }
    }

    @Test
    void shouldFailNoRequestAndChargeEachCallOnceWhileEveryInstanceRestartsInTurn() throws Exception {
        FakeBilling billing = instances.billing();
        TestKey key = billing.account(1_000_000_000L, 100_000);
        long balanceBefore = billing.balance(key.accountId());
        long recordsBefore = billing.usageRecords(key.accountId());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong charged = new AtomicLong();
        AtomicLong balanceReads = new AtomicLong();
        Map<String, Long> failures = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                long n = 0;
                while (running.get()) {
                    boolean chat = (n++ + worker) % 4 != 0; // three metered calls to one balance read
                    String outcome = send(http, chat ? chat(key) : balance(key));
                    if (outcome.equals("200")) {
                        (chat ? charged : balanceReads).incrementAndGet();
                    } else {
                        failures.merge((chat ? "POST chat " : "GET balance ") + outcome, 1L, Long::sum);
                    }
                }
            }));
        }

        Thread.sleep(1_000);
        long beforeRestart = charged.get();
        for (int i = 0; i < instances.ports().size() * ROUNDS; i++) {
            instances.restart(i % instances.ports().size()); // SIGTERM, exit 0 after the drain, start again on the same port, ready
            // nginx re-admits an instance it marked failed (connection refused while it restarted) only after
            // fail_timeout (2 s); restarting the next one before would leave it no live instance
            // (Kubernetes: minReadySeconds)
            Thread.sleep(NGINX_FAIL_TIMEOUT_MILLIS + 1_000);
        }
        long duringRestart = charged.get() - beforeRestart;
        Thread.sleep(1_000);
        running.set(false);
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(new TreeMap<>(failures)).as("failed requests during the rolling restart; nginx saw:%n%s", whatNginxSaw())
                .isEmpty();
        assertThat(duringRestart).as("metered calls served while the instances restarted").isGreaterThan(100);
        assertThat(balanceReads.get()).isPositive();
        // exactly once: one usage record and one per-request price per successful call, no hold left open
        assertThat(billing.usageRecords(key.accountId()) - recordsBefore).isEqualTo(charged.get());
        assertThat(balanceBefore - billing.balance(key.accountId())).isEqualTo(charged.get() * CALL_MICROS);
        assertThat(billing.held(key.accountId())).isZero();
    }

    /** nginx's errors other than the expected refusals, and its 5xx answers: what a failure here needs to be understood. */
    private static String whatNginxSaw() throws IOException {
        List<String> lines = new ArrayList<>();
        try (var errors = Files.lines(nginx.errorLog())) {
            errors.filter(line -> !line.contains("(111: Connection refused)") && !line.contains("temporarily disabled"))
                    .limit(40).forEach(lines::add);
        }
        try (var access = Files.lines(nginx.accessLog())) {
            access.filter(line -> line.contains("HTTP/1.1\" 5")).limit(40)
                    .forEach(lines::add);
        }
        return String.join(System.lineSeparator(), lines);
    }

    private static HttpRequest chat(TestKey key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(TINY_CHAT)).build();
    }

    private static HttpRequest balance(TestKey key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/v1/balance"))
                .header("Authorization", key.bearer()).timeout(Duration.ofSeconds(30)).build();
    }

    /** "200", another status with its body, or the exception: what a client would have seen. */
    private static String send(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? "200" : response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
