import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structure-aware HTTP fuzzer for a running {@code ./kiku up} (all four services on 127.0.0.1).
 * Run from the repository root: {@code java bench/fuzz/Fuzz.java [--requests 60000] [--seconds 900]
 * [--threads 8] [--seed N] [--out /tmp/kiku-fuzz]}. It creates its own funded account and key through
 * billing's admin API, mutates valid seed requests of every endpoint (JSON structure, JSON syntax,
 * media types, authorization, paths, queries, oversized headers and forms), and fails (exit 1) on
 * any 5xx, any request left without an answer, malformed JSON accepted by a JSON endpoint, or any
 * balance change it did not pay for. Each failure is written as a curl reproducer.
 */
public class Fuzz {

    static final String HOST = "127.0.0.1"; // loopback only, never configurable
    static final int API = 8080, BOT = 8081, WEBHOOK = 8082, BILLING = 8083;
    static final Pattern NUMBER = Pattern.compile("\"%s\":(-?\\d+)");

    enum Auth { NONE, KEY, ADMIN, INTERNAL, TELEGRAM, SIMULATOR }

    /** A valid request of one endpoint; {@code moneySafe} false means it may move the sandbox account's money. */
    record Seed(String service, int port, String method, String path, Auth auth, String body, boolean metered) {
    }

    /** One concrete request as sent. */
    record Req(Seed seed, String method, String path, Map<String, String> headers, byte[] body, List<String> mutations,
               boolean mustRefuse) {
    }

    record Failure(int n, String reason, Req req) {
    }

    // ------------------------------------------------------------------ configuration and state
    final Random seedRandom;
    final long seed;
    final int maxRequests;
    final long deadlineNanos;
    final int threads;
    final Path out;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    String admin;
    List<String> internalTokens = new ArrayList<>();
    String telegramSecret = "none";
    long payer, bystander, sandbox, sandboxKeyId;
    String payerKey, sandboxKey;
    List<Seed> seeds = new ArrayList<>();

    final AtomicInteger sent = new AtomicInteger();
    final AtomicLong paidMicros = new AtomicLong();
    final AtomicInteger paidCalls = new AtomicInteger();
    final AtomicInteger unpriced = new AtomicInteger();
    final List<Failure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<Failure> dropped = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> perService = new ConcurrentHashMap<>();

    Fuzz(Map<String, String> args) {
        seed = Long.parseLong(args.getOrDefault("seed", Long.toString(System.nanoTime())));
        seedRandom = new Random(seed);
        maxRequests = Integer.parseInt(args.getOrDefault("requests", "60000"));
        deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args.getOrDefault("seconds", "900")));
        threads = Integer.parseInt(args.getOrDefault("threads", "8"));
        out = Path.of(args.getOrDefault("out", System.getProperty("java.io.tmpdir") + "/kiku-fuzz"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        System.exit(new Fuzz(args).run());
    }

    int run() throws Exception {
        Files.createDirectories(out);
        setUp();
        long before = balance(payer, "balanceMicros");
        long bystanderBefore = balance(bystander, "balanceMicros");
        System.out.printf("seed %d; payer account %d (balance %d µUSD), bystander %d, sandbox %d; %d seeds; up to %d requests%n",
                seed, payer, before, bystander, sandbox, seeds.size(), maxRequests);
        Instant start = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            long workerSeed = seedRandom.nextLong();
            pool.submit(() -> worker(new Random(workerSeed)));
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.HOURS);
        Duration took = Duration.between(start, Instant.now());

        // settle: no hold of the payer may stay open, then the balance must be exactly what was paid
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (balance(payer, "heldMicros") != 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        long after = balance(payer, "balanceMicros");
        long held = balance(payer, "heldMicros");
        long bystanderAfter = balance(bystander, "balanceMicros");
        List<String> money = new ArrayList<>();
        if (held != 0) {
            money.add("payer still holds " + held + " µUSD 60 s after the last request");
        }
        if (unpriced.get() == 0 && before - after != paidMicros.get()) {
            money.add("payer balance moved by " + (after - before) + " µUSD; its successful metered calls paid "
                    + paidMicros.get());
        }
        if (bystanderAfter != bystanderBefore) {
            money.add("bystander balance moved from " + bystanderBefore + " to " + bystanderAfter);
        }
        for (int port : new int[]{API, BOT, WEBHOOK, BILLING}) {
            if (get(port, "/q/health/live", Map.of()).statusCode() != 200) {
                money.add("service on port " + port + " is not live after the run");
            }
        }

        System.out.printf("%n%d requests in %d s (%.0f/s) with %d threads%n", sent.get(), took.toSeconds(),
                sent.get() / Math.max(1.0, took.toMillis() / 1000.0), threads);
        System.out.println("per service: " + new java.util.TreeMap<>(perService));
        System.out.println("statuses:    " + new java.util.TreeMap<>(statuses));
        System.out.printf("payer: %d successful metered calls paid %d µUSD; balance %d -> %d (held %d)%s%n",
                paidCalls.get(), paidMicros.get(), before, after, held,
                unpriced.get() > 0 ? "; " + unpriced.get() + " streamed successes without a price: balance not compared" : "");
        System.out.printf("bystander: balance %d -> %d%n", bystanderBefore, bystanderAfter);
        money.forEach(m -> System.out.println("FAIL money/health: " + m));
        synchronized (failures) {
            for (Failure f : failures.subList(0, Math.min(50, failures.size()))) {
                System.out.println("FAIL #" + f.n() + " " + f.reason() + " [" + String.join(", ", f.req().mutations()) + "]");
                System.out.println("  " + reproducer(f));
            }
        }
        synchronized (dropped) {
            for (Failure d : dropped.subList(0, Math.min(5, dropped.size()))) {
                System.out.println("note #" + d.n() + " " + d.reason() + " [" + String.join(", ", d.req().mutations()) + "]");
            }
        }
        System.out.printf("%d failures (%d request failures, %d money/health); reproducers in %s%n",
                failures.size() + money.size(), failures.size(), money.size(), out);
        return failures.isEmpty() && money.isEmpty() ? 0 : 1;
    }

    // ------------------------------------------------------------------ set-up through the admin API
    void setUp() throws Exception {
        Path state = Path.of(".kiku");
        admin = read(state.resolve("admin-token"));
        if (admin == null) {
            throw new IllegalStateException("no .kiku/admin-token: run from the repository root after ./kiku up");
        }
        try (var files = Files.list(state)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith("-token")).toList()) {
                if (!p.getFileName().toString().equals("admin-token")) {
                    internalTokens.add(read(p));
                }
            }
        }
        for (int port : new int[]{API, BOT, WEBHOOK, BILLING}) {
            if (get(port, "/q/health/ready", Map.of()).statusCode() != 200) {
                throw new IllegalStateException("service on port " + port + " is not ready: ./kiku up first");
            }
        }
        HttpResponse<String> config = get(BOT, "/telegram-standin/api/config", Map.of());
        Matcher secret = Pattern.compile("\"secret\":\"([^\"]+)\"").matcher(config.body());
        if (secret.find()) {
            telegramSecret = secret.group(1);
        }
        payer = account(1_000_000_000L);
        payerKey = key(payer, 100_000)[1];
        bystander = account(1_000_000L);
        key(bystander, 60);
        sandbox = account(1_000_000L);
        String[] sk = key(sandbox, 100_000);
        sandboxKeyId = Long.parseLong(sk[0]);
        sandboxKey = sk[1];
        seeds();
    }

    long account(long credit) throws Exception {
        long tg = 900_000_000_000L + Math.floorMod(seedRandom.nextLong(), 99_000_000_000L);
        String body = adminCall("POST", "/admin/v1/accounts", "{\"telegramUserId\":" + tg + ",\"displayName\":\"fuzz\"}");
        long id = number(body, "accountId");
        adminCall("POST", "/admin/v1/accounts/" + id + "/adjustments", "{\"amountMicros\":" + credit
                + ",\"reason\":\"fuzz funding\",\"idempotencyKey\":\"fuzz-" + id + "\"}");
        return id;
    }

    String[] key(long account, int rpm) throws Exception {
        String body = adminCall("POST", "/admin/v1/accounts/" + account + "/keys",
                "{\"name\":\"fuzz\",\"rateLimitPerMinute\":" + rpm + "}");
        Matcher m = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no key in " + body);
        }
        return new String[]{Long.toString(number(body, "keyId")), m.group(1)};
    }

    long balance(long account, String field) throws Exception {
        return number(adminCall("GET", "/admin/v1/accounts/" + account, null), field);
    }

    String adminCall(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + BILLING + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + admin);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    HttpResponse<String> get(int port, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + path))
                .timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static long number(String body, String field) {
        Matcher m = Pattern.compile(String.format(NUMBER.pattern(), field)).matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    static String read(Path p) throws IOException {
        return Files.isRegularFile(p) ? Files.readString(p).strip() : null;
    }

    // ------------------------------------------------------------------ the endpoints (read from each service's rest/ package)
    void seeds() {
        String chat = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":\"hello fuzz\"}],\"max_tokens\":16,\"temperature\":0.5,\"n\":1,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]}";
        String own = "{\"provider\":\"local\",\"model\":\"local-echo\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}";
        // api-service
        add("api", API, "GET", "/api/v1/ping", Auth.NONE, null, false);
        add("api", API, "GET", "/api/v1/balance", Auth.KEY, null, false);
        add("api", API, "GET", "/api/v1/usage?from=2026-01-01&groupBy=day", Auth.KEY, null, false);
        add("api", API, "GET", "/api/v1/products", Auth.KEY, null, false);
        add("api", API, "GET", "/v1/models", Auth.KEY, null, false);
        for (int i = 0; i < 4; i++) { // the metered endpoints get most of the traffic
            add("api", API, "POST", "/v1/chat/completions", Auth.KEY, chat, true);
            add("api", API, "POST", "/api/v1/proxy/llm", Auth.KEY, own, true);
        }
        // billing-service: reads of the payer; writes only to the sandbox account
        String a = "/admin/v1/accounts/";
        add("billing", BILLING, "POST", "/admin/v1/accounts", Auth.ADMIN, "{\"telegramUserId\":@TG,\"displayName\":\"fz\"}", false);
        add("billing", BILLING, "GET", a + payer, Auth.ADMIN, null, false);
        add("billing", BILLING, "PATCH", a + "@ID", Auth.ADMIN,
                "{\"status\":\"active\",\"lowBalanceThresholdMicros\":1000,\"defaultRateLimitPerMinute\":600}", false);
        add("billing", BILLING, "POST", a + "@ID/keys", Auth.ADMIN, "{\"name\":\"fz\",\"rateLimitPerMinute\":60}", false);
        add("billing", BILLING, "GET", a + payer + "/keys", Auth.ADMIN, null, false);
        add("billing", BILLING, "DELETE", a + "@ID/keys/@KEY", Auth.ADMIN, null, false);
        add("billing", BILLING, "POST", a + "@ID/adjustments", Auth.ADMIN,
                "{\"amountMicros\":1,\"reason\":\"fuzz\",\"idempotencyKey\":\"fz-@N\"}", false);
        add("billing", BILLING, "GET", a + payer + "/ledger?limit=5&before=999999999", Auth.ADMIN, null, false);
        add("billing", BILLING, "GET", a + payer + "/usage?from=2026-01-01&groupBy=model", Auth.ADMIN, null, false);
        add("billing", BILLING, "GET", "/admin/v1/reconciliation?accountId=" + sandbox, Auth.ADMIN, null, false);
        add("billing", BILLING, "POST", "/admin/v1/reconciliation/repair", Auth.ADMIN, "{\"accountId\":@ID}", false);
        add("billing", BILLING, "GET", "/admin/v1/jobs/job-1", Auth.ADMIN, null, false);
        add("billing", BILLING, "GET", "/admin/v1/catalogue", Auth.ADMIN, null, false);
        String i = "/internal/v1/accounts";
        add("billing", BILLING, "POST", i, Auth.INTERNAL, "{\"telegramUserId\":@TG,\"displayName\":\"fz\"}", false);
        add("billing", BILLING, "GET", i + "/by-telegram/@TG", Auth.INTERNAL, null, false);
        add("billing", BILLING, "GET", i + "/" + payer, Auth.INTERNAL, null, false);
        add("billing", BILLING, "POST", i + "/@ID/keys", Auth.INTERNAL, "{\"name\":\"fz\"}", false);
        add("billing", BILLING, "GET", i + "/" + payer + "/keys", Auth.INTERNAL, null, false);
        add("billing", BILLING, "DELETE", i + "/@ID/keys/@KEY", Auth.INTERNAL, null, false);
        add("billing", BILLING, "POST", i + "/@ID/ledger", Auth.INTERNAL,
                "{\"kind\":\"adjustment\",\"amountMicros\":1,\"externalRef\":\"fz-@N\",\"description\":\"fuzz\"}", false);
        add("billing", BILLING, "GET", i + "/" + payer + "/ledger?limit=3", Auth.INTERNAL, null, false);
        add("billing", BILLING, "GET", i + "/" + payer + "/usage?from=2026-01-01&groupBy=key", Auth.INTERNAL, null, false);
        add("billing", BILLING, "GET", "/internal/v1/catalogue", Auth.INTERNAL, null, false);
        // webhook-service
        add("webhook", WEBHOOK, "POST", "/webhooks/paddle", Auth.NONE,
                "{\"event_id\":\"evt_fz@N\",\"event_type\":\"transaction.completed\",\"occurred_at\":\"2026-01-01T00:00:00Z\","
                        + "\"data\":{\"id\":\"txn_fz\",\"custom_data\":{\"kiku_account_id\":\"@ID\"},\"items\":[{\"price\":{\"id\":\"pri_local_5\"},\"quantity\":1}]}}", false);
        add("webhook", WEBHOOK, "POST", "/internal/v1/checkouts", Auth.INTERNAL,
                "{\"accountId\":@ID,\"paddlePriceId\":\"pri_local_5\",\"quantity\":1}", false);
        add("webhook", WEBHOOK, "GET", "/admin/v1/webhooks/dead", Auth.ADMIN, null, false);
        add("webhook", WEBHOOK, "GET", "/admin/v1/webhooks/held", Auth.ADMIN, null, false);
        add("webhook", WEBHOOK, "GET", "/admin/v1/webhooks/evt_fz@N", Auth.ADMIN, null, false);
        add("webhook", WEBHOOK, "POST", "/admin/v1/webhooks/evt_fz@N/replay", Auth.ADMIN, null, false);
        add("webhook", WEBHOOK, "POST", "/paddle-sim/transactions", Auth.SIMULATOR,
                "{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}],\"custom_data\":{\"kiku_account_id\":\"@ID\"}}", false);
        add("webhook", WEBHOOK, "GET", "/paddle-sim/checkout/txn_fz@N", Auth.NONE, null, false);
        add("webhook", WEBHOOK, "POST", "/paddle-sim/checkout/txn_fz@N/pay", Auth.NONE, null, false);
        // bot-service
        add("bot", BOT, "POST", "/telegram/webhook", Auth.TELEGRAM,
                "{\"update_id\":@N,\"message\":{\"message_id\":@N,\"date\":1764237600,\"chat\":{\"id\":@TG,\"type\":\"private\"},"
                        + "\"from\":{\"id\":@TG,\"is_bot\":false,\"first_name\":\"Fz\"},\"text\":\"/help\"}}", false);
        add("bot", BOT, "GET", "/telegram-standin", Auth.NONE, null, false);
        add("bot", BOT, "GET", "/telegram-standin/api/config", Auth.NONE, null, false);
        add("bot", BOT, "GET", "/telegram-standin/api/chats/@TG/messages", Auth.NONE, null, false);
        add("bot", BOT, "POST", "/telegram-standin/api/chats/@TG/messages", Auth.NONE, "{\"text\":\"hello\"}", false);
        add("bot", BOT, "POST", "/telegram-standin/api/update-ids", Auth.NONE, null, false);
        add("bot", BOT, "POST", "/telegram-standin/bot100000000:LOCAL-STANDIN/getMe", Auth.NONE, "{}", false);
        add("bot", BOT, "POST", "/telegram-standin/bot100000000:LOCAL-STANDIN/sendMessage", Auth.NONE,
                "{\"chat_id\":@TG,\"text\":\"x\"}", false);
    }

    void add(String service, int port, String method, String path, Auth auth, String body, boolean metered) {
        seeds.add(new Seed(service, port, method, path, auth, body, metered));
    }

    // ------------------------------------------------------------------ the loop
    void worker(Random r) {
        while (System.nanoTime() < deadlineNanos) {
            int n = sent.incrementAndGet();
            if (n > maxRequests) {
                sent.decrementAndGet();
                return;
            }
            Req req;
            try {
                req = Mutator.mutate(this, r, seeds.get(r.nextInt(seeds.size())), n);
            } catch (RuntimeException e) {
                continue;
            }
            send(n, req);
        }
    }

    void send(int n, Req req) {
        perService.computeIfAbsent(req.seed().service(), k -> new AtomicInteger()).incrementAndGet();
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + req.seed().port() + req.path()))
                    .timeout(Duration.ofSeconds(30))
                    .method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(req.body()));
            req.headers().forEach(b::header);
            request = b.build();
        } catch (IllegalArgumentException e) {
            count("unsendable");
            return; // a header or path the HTTP client itself refuses to send
        }
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            // Vert.x closes the connection after a 431 (or any request its decoder refused) without
            // saying Connection: close, so a pooled connection can die under the next request sent on
            // it. Not this request's fault: it is retried once on a fresh connection and must be answered.
            try {
                response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3))
                        .build().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
                count("stale-connection-retried");
            } catch (IOException again) {
                if (refusedUnread(req)) {
                    // The server answers (431, or 400/413 for a body over its limit) and closes before
                    // reading the rest; the kernel then resets the connection under the client still
                    // sending, which can destroy the answer. Vert.x has no lingering close: counted, not failed.
                    count("dropped-after-early-refusal");
                    dropped.add(new Failure(n, "dropped after an early refusal: " + again, req));
                    return;
                }
                count("no-answer");
                fail(n, "no answer, also on a fresh connection: " + again, req);
                return;
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        int status = response.statusCode();
        count(status / 100 + "xx");
        if (status >= 500) {
            fail(n, "status " + status + ": " + abbreviate(response.body()), req);
        } else if (status / 100 == 2 && req.mustRefuse()) {
            fail(n, "status " + status + " for a body that is not one well-formed JSON document", req);
        }
        if (req.seed().metered() && status / 100 == 2 && payerKey.equals(credentials(req.headers().get("Authorization")))) {
            charge(response);
        }
    }

    /**
     * The platform's documented reading of {@code Authorization: Bearer} (case-insensitive scheme,
     * one or more spaces, a visible-ASCII token to the end): a metered call the server should have
     * charged to the payer. One it charged otherwise shows up in the balance comparison.
     */
    static String credentials(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).replaceFirst("^ +", "");
        return token.isEmpty() || !token.chars().allMatch(c -> c > ' ' && c <= '~') ? null : token;
    }

    /** A request a service refuses before reading it whole: headers over 20 kB, or a body over its limit (64 kB and up). */
    static boolean refusedUnread(Req req) {
        return req.mutations().contains("oversized header") || (req.body() != null && req.body().length > 65_536);
    }

    void charge(HttpResponse<String> response) {
        var cost = response.headers().firstValue("X-Kiku-Cost-Micros");
        if (cost.isPresent()) {
            paidMicros.addAndGet(Long.parseLong(cost.get()));
            paidCalls.incrementAndGet();
            return;
        }
        Matcher m = Pattern.compile("\"object\":\"kiku.charge\"[^}]*\"costMicros\":(\\d+)").matcher(response.body());
        Matcher m2 = Pattern.compile("\"costMicros\":(\\d+)[^}]*\"object\":\"kiku.charge\"").matcher(response.body());
        if (m.find()) {
            paidMicros.addAndGet(Long.parseLong(m.group(1)));
            paidCalls.incrementAndGet();
        } else if (m2.find()) {
            paidMicros.addAndGet(Long.parseLong(m2.group(1)));
            paidCalls.incrementAndGet();
        } else {
            unpriced.incrementAndGet();
        }
    }

    void count(String what) {
        statuses.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    void fail(int n, String reason, Req req) {
        failures.add(new Failure(n, reason, req));
        try {
            Files.write(out.resolve("failure-" + n + ".body"), req.body() == null ? new byte[0] : req.body());
            StringBuilder h = new StringBuilder();
            req.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append('\n'));
            Files.writeString(out.resolve("failure-" + n + ".headers"), h, StandardCharsets.ISO_8859_1);
            Files.writeString(out.resolve("failure-" + n + ".sh"), "#!/bin/sh\n# " + reason.replace('\n', ' ') + "\n"
                    + reproducer(new Failure(n, reason, req)) + "\n");
        } catch (IOException e) {
            System.err.println("could not write reproducer " + n + ": " + e);
        }
    }

    String reproducer(Failure f) {
        Req req = f.req();
        String file = out.resolve("failure-" + f.n()).toString();
        return "curl -sS -i -X " + req.method() + " 'http://" + HOST + ":" + req.seed().port() + req.path().replace("'", "'\\''")
                + "' -H @" + file + ".headers" + (req.body() == null ? "" : " --data-binary @" + file + ".body");
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    // ------------------------------------------------------------------ mutations
    /** Turns a seed into a mutated request: structure first, then syntax, then the envelope. */
    static final class Mutator {

        static final Object[] VALUES = {null, true, false, 0L, -1L, 1L, Long.MAX_VALUE, "9223372036854775808",
                1.5, 2e6, 1e308, -1e308, 1e-7, "", " ", "\u0000", "☃🎉", "\u202e\u200b", "NaN", "-0", "null",
                "a".repeat(5000), "<script>", "'; DROP TABLE accounts; --", "%00", "../../etc/passwd",
                new ArrayList<>(), new Obj()};
        static final String[] TAILS = {" x", "}", "]", " {}", "{}", ",", " 1", "\u0000", "\"", " null"};
        static final String[] TYPES = {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
                "application/json; charset=latin1", "text/plain", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=fz", "application/xml", "application/problem+json", "*/*", "",
                "application/json;;", "application/vnd.api+json"};

        static Req mutate(Fuzz f, Random r, Seed seed, int n) {
            List<String> applied = new ArrayList<>();
            String method = seed.method();
            String path = fill(f, r, seed.path(), n);
            Map<String, String> headers = new LinkedHashMap<>();
            String auth = authorization(f, seed.auth());
            if (seed.auth() == Auth.TELEGRAM) {
                headers.put("X-Telegram-Bot-Api-Secret-Token", f.telegramSecret);
            } else if (auth != null) {
                headers.put("Authorization", auth);
            }
            if (seed.path().equals("/webhooks/paddle")) {
                headers.put("Paddle-Signature", "ts=" + (System.currentTimeMillis() / 1000) + ";h1=" + "0".repeat(64));
            }
            byte[] body = null;
            boolean mustRefuse = false;
            if (seed.body() != null) {
                headers.put("Content-Type", "application/json");
                Object tree = Json.parse(fill(f, r, seed.body(), n));
                int structural = r.nextInt(4);
                for (int i = 0; i < structural; i++) {
                    applied.add(structure(r, tree));
                }
                if (seed.path().equals("/v1/chat/completions") && tree instanceof Obj o) {
                    o.set("stream", false); // OpenAI-shape streams carry no price the fuzzer could read
                }
                String text = Json.write(tree);
                if (r.nextInt(4) == 0) {
                    // syntax: these documents are never one well-formed JSON value
                    switch (r.nextInt(4)) {
                        case 0 -> {
                            String tail = TAILS[r.nextInt(TAILS.length)];
                            text = text + tail;
                            applied.add("trailing " + Json.quote(tail));
                            mustRefuse = tree instanceof Obj || tree instanceof List;
                        }
                        case 1 -> {
                            int cut = 1 + r.nextInt(Math.max(1, text.length() - 1));
                            text = text.substring(0, cut);
                            applied.add("truncated at " + cut);
                            mustRefuse = true;
                        }
                        case 2 -> {
                            if (tree instanceof Obj o && !o.pairs.isEmpty()) {
                                var pair = o.pairs.get(r.nextInt(o.pairs.size()));
                                text = text.substring(0, text.length() - 1) + ","
                                        + Json.quote(pair.getKey()) + ":" + Json.write(pair.getValue()) + "}";
                                applied.add("repeated field " + pair.getKey());
                                mustRefuse = true;
                            }
                        }
                        default -> {
                            int at = text.isEmpty() ? 0 : r.nextInt(text.length());
                            char c = (char) r.nextInt(128);
                            text = text.substring(0, at) + c + text.substring(at);
                            applied.add("inserted byte " + (int) c + " at " + at);
                        }
                    }
                }
                body = text.getBytes(StandardCharsets.UTF_8);
                if (r.nextInt(20) == 0) {
                    body = invalidUtf8(r, body);
                    applied.add("invalid UTF-8");
                    mustRefuse = false; // a lenient decoder may replace it
                }
            }
            int envelope = r.nextInt(3);
            for (int i = 0; i < envelope; i++) {
                String what = envelope(f, r, headers, seed);
                if (what.startsWith("form") || what.startsWith("content-type")) {
                    mustRefuse = false;
                }
                if (what.startsWith("form")) {
                    body = formBody(r, headers, what);
                }
                if (what.startsWith("method ")) {
                    method = what.substring(7);
                    mustRefuse = false;
                }
                if (what.startsWith("path")) {
                    path = path(r, path);
                    mustRefuse = false;
                }
                if (what.startsWith("auth")) {
                    mustRefuse = mustRefuse && headers.containsKey("Authorization");
                }
                applied.add(what);
            }
            if (body == null && r.nextInt(10) == 0 && !method.equals("GET")) {
                body = "{}".getBytes(StandardCharsets.UTF_8);
                headers.put("Content-Type", "application/json");
                applied.add("empty object body");
            }
            if (method.equals("GET") || method.equals("DELETE")) {
                mustRefuse = false;
            }
            String type = headers.getOrDefault("Content-Type", "").toLowerCase(Locale.ROOT);
            mustRefuse = mustRefuse && type.startsWith("application/json") && method.equals(seed.method());
            return new Req(seed, method, path, headers, body, applied, mustRefuse);
        }

        static String fill(Fuzz f, Random r, String template, int n) {
            long tg = 800_000_000_000L + r.nextInt(1_000_000_000);
            return template.replace("@ID", Long.toString(f.sandbox)).replace("@KEY", Long.toString(f.sandboxKeyId))
                    .replace("@TG", Long.toString(tg)).replace("@N", Integer.toString(n));
        }

        static String authorization(Fuzz f, Auth auth) {
            return switch (auth) {
                case NONE, TELEGRAM -> null;
                case KEY -> "Bearer " + f.payerKey;
                case ADMIN -> "Bearer " + f.admin;
                case INTERNAL -> "Bearer " + (f.internalTokens.isEmpty() ? "none" : f.internalTokens.get(0));
                case SIMULATOR -> "Bearer pdl_local_simulator";
            };
        }

        /** One change to the JSON tree: drop, repeat-free replace, retype, add, nest, blow up. */
        static String structure(Random r, Object tree) {
            List<Object[]> slots = new ArrayList<>(); // {container, key or index}
            collect(tree, slots, 0);
            if (slots.isEmpty()) {
                return "none";
            }
            Object[] slot = slots.get(r.nextInt(slots.size()));
            int op = r.nextInt(6);
            if (slot[0] instanceof Obj o) {
                String key = (String) slot[1];
                switch (op) {
                    case 0 -> { o.remove(key); return "dropped " + key; }
                    case 1 -> { o.set("fz_" + r.nextInt(1000), value(r)); return "added unknown field in " + key; }
                    case 2 -> { o.set(key, nest(r.nextInt(2) == 0 ? 300 : 5000)); return "deep nesting in " + key; }
                    case 3 -> { o.set(key, "x".repeat(r.nextInt(10) == 0 ? 1_100_000 : 70_000)); return "huge string in " + key; }
                    default -> { Object v = value(r); o.set(key, v); return key + " = " + abbreviate(Json.write(v)); }
                }
            }
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) slot[0];
            int index = (Integer) slot[1];
            switch (op) {
                case 0 -> { list.remove(index); return "dropped element " + index; }
                case 1 -> { for (int i = 0; i < 200; i++) list.add(list.get(index)); return "200 copies of element " + index; }
                default -> { Object v = value(r); list.set(index, v); return "element " + index + " = " + abbreviate(Json.write(v)); }
            }
        }

        static void collect(Object node, List<Object[]> slots, int depth) {
            if (depth > 6) {
                return;
            }
            if (node instanceof Obj o) {
                for (var p : new ArrayList<>(o.pairs)) {
                    slots.add(new Object[]{o, p.getKey()});
                    collect(p.getValue(), slots, depth + 1);
                }
            } else if (node instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    slots.add(new Object[]{l, i});
                    collect(l.get(i), slots, depth + 1);
                }
            }
        }

        static Object value(Random r) {
            Object v = VALUES[r.nextInt(VALUES.length)];
            if (v instanceof List) {
                return new ArrayList<>(List.of(1L, "a", new ArrayList<>()));
            }
            if (v instanceof Obj) {
                Obj o = new Obj();
                o.set("role", "user");
                o.set("content", r.nextInt(2) == 0 ? "x" : new ArrayList<>());
                return o;
            }
            return v;
        }

        static Object nest(int depth) {
            Object v = 1L;
            for (int i = 0; i < depth; i++) {
                v = new ArrayList<>(List.of(v));
            }
            return v;
        }

        static byte[] invalidUtf8(Random r, byte[] body) {
            byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
            int at = body.length == 0 ? 0 : r.nextInt(body.length);
            byte[] outBytes = new byte[body.length + bad.length];
            System.arraycopy(body, 0, outBytes, 0, at);
            System.arraycopy(bad, 0, outBytes, at, bad.length);
            System.arraycopy(body, at, outBytes, at + bad.length, body.length - at);
            return outBytes;
        }

        /** Media type, authorization, method, path, query and header mutations. */
        static String envelope(Fuzz f, Random r, Map<String, String> headers, Seed seed) {
            switch (r.nextInt(9)) {
                case 0 -> {
                    String t = TYPES[r.nextInt(TYPES.length)];
                    headers.put("Content-Type", t);
                    return "content-type " + t;
                }
                case 1 -> {
                    String token = seed.auth() == Auth.KEY ? f.payerKey : seed.auth() == Auth.ADMIN ? f.admin
                            : seed.auth() == Auth.INTERNAL && !f.internalTokens.isEmpty()
                            ? f.internalTokens.get(r.nextInt(f.internalTokens.size())) : "pdl_local_simulator";
                    String[] variants = {null, "bearer " + token, "BEARER " + token, "Bearer  " + token,
                            "Bearer\t" + token, "Bearer " + token + " x", "Bearer " + token + "x", "Basic " + token,
                            "Bearer", "Bearer ", token, "Bearer " + f.sandboxKey, "Bearer " + f.admin,
                            "Bearer kiku_live_" + "A".repeat(43), "Bearer " + "k".repeat(8000)};
                    String v = variants[r.nextInt(variants.length)];
                    if (v == null) {
                        headers.remove("Authorization");
                        headers.remove("X-Telegram-Bot-Api-Secret-Token");
                    } else if (seed.auth() == Auth.TELEGRAM) {
                        headers.put("X-Telegram-Bot-Api-Secret-Token", v);
                    } else {
                        headers.put("Authorization", v);
                    }
                    return "auth " + (v == null ? "none" : abbreviate(v.replace(token, "<token>")));
                }
                case 2 -> {
                    String[] methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "FUZZ"};
                    return "method " + methods[r.nextInt(methods.length)];
                }
                case 3 -> {
                    return "path";
                }
                case 4 -> {
                    headers.put("X-Fuzz-Large", "h".repeat(r.nextInt(2) == 0 ? 30_000 : 70_000));
                    return "oversized header";
                }
                case 5 -> {
                    return r.nextInt(2) == 0 ? "form urlencoded" : "form multipart";
                }
                case 6 -> {
                    String[] accept = {"text/html", "application/xml", "*/*;q=0", "text/event-stream", "\u00ff"};
                    headers.put("Accept", accept[r.nextInt(accept.length)]);
                    return "accept " + headers.get("Accept");
                }
                case 7 -> {
                    headers.put("Content-Encoding", r.nextInt(2) == 0 ? "gzip" : "deflate");
                    return "content-encoding without encoding";
                }
                default -> {
                    headers.put("X-Request-Id", r.nextInt(2) == 0 ? "../x" : "r".repeat(500));
                    return "client request id";
                }
            }
        }

        static String path(Random r, String path) {
            String[] ids = {"0", "-1", "9223372036854775808", "abc", "1e3", "%00", "..%2F", "%2e%2e", "", " "};
            String[] parts = path.split("\\?", 2);
            String p = parts[0];
            switch (r.nextInt(5)) {
                case 0 -> p = p.replaceAll("/\\d+(?=/|$)", "/" + URIish(ids[r.nextInt(ids.length)]));
                case 1 -> p = p + "/";
                case 2 -> p = p.replace("/v1/", "//v1//");
                case 3 -> p = p + "/../../q/metrics";
                default -> p = p.toUpperCase(Locale.ROOT);
            }
            String[] queries = {"limit=-1", "limit=99999999999", "from=yesterday", "from=2026-13-45&to=1",
                    "groupBy=%00", "before=abc", "accountId=x", "repair=maybe", "a=" + "q".repeat(5000), "=&&=", "%zz"};
            String q = parts.length > 1 && r.nextBoolean() ? parts[1] : queries[r.nextInt(queries.length)];
            return p + "?" + q;
        }

        static String URIish(String s) {
            return s.replace(" ", "%20");
        }

        static byte[] formBody(Random r, Map<String, String> headers, String what) {
            String big = "f".repeat(r.nextInt(2) == 0 ? 100 : 20_000);
            if (what.endsWith("urlencoded")) {
                headers.put("Content-Type", "application/x-www-form-urlencoded");
                return ("model=" + big + "&messages=x").getBytes(StandardCharsets.UTF_8);
            }
            headers.put("Content-Type", "multipart/form-data; boundary=fzb");
            return ("--fzb\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + big + "\r\n--fzb--\r\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ a JSON tree that can hold what the mutator needs
    /** A JSON object as ordered pairs. */
    static final class Obj {
        final List<Map.Entry<String, Object>> pairs = new ArrayList<>();

        void set(String key, Object value) {
            for (int i = 0; i < pairs.size(); i++) {
                if (pairs.get(i).getKey().equals(key)) {
                    pairs.set(i, new java.util.AbstractMap.SimpleEntry<>(key, value));
                    return;
                }
            }
            pairs.add(new java.util.AbstractMap.SimpleEntry<>(key, value));
        }

        void remove(String key) {
            pairs.removeIf(p -> p.getKey().equals(key));
        }
    }

    /** Just enough JSON for the seeds (which are well-formed) and for writing mutated trees. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object v = j.value();
            return v;
        }

        private Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Obj o = new Obj();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return o;
                }
                while (true) {
                    skip();
                    String k = (String) value();
                    skip();
                    i++; // ':'
                    o.pairs.add(new java.util.AbstractMap.SimpleEntry<>(k, value()));
                    skip();
                    if (s.charAt(i++) == '}') {
                        return o;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') {
                        return l;
                    }
                }
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\') {
                        i++;
                        char e = s.charAt(i);
                        b.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                    } else {
                        b.append(s.charAt(i));
                    }
                    i++;
                }
                i++;
                return b.toString();
            }
            int start = i;
            while (i < s.length() && ",}] \n".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            String word = s.substring(start, i);
            return switch (word) {
                case "true" -> true;
                case "false" -> false;
                case "null" -> null;
                default -> word.contains(".") || word.contains("e") ? (Object) Double.parseDouble(word) : (Object) Long.parseLong(word);
            };
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        static String write(Object v) {
            StringBuilder b = new StringBuilder();
            write(v, b);
            return b.toString();
        }

        private static void write(Object v, StringBuilder b) {
            if (v instanceof Obj o) {
                b.append('{');
                for (int k = 0; k < o.pairs.size(); k++) {
                    if (k > 0) {
                        b.append(',');
                    }
                    b.append(quote(o.pairs.get(k).getKey())).append(':');
                    write(o.pairs.get(k).getValue(), b);
                }
                b.append('}');
            } else if (v instanceof List<?> l) {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) {
                        b.append(',');
                    }
                    write(l.get(k), b);
                }
                b.append(']');
            } else if (v instanceof String str) {
                b.append(str.startsWith("9223372036854775808") ? str : quote(str));
            } else {
                b.append(v);
            }
        }

        static String quote(String str) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : str.toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        }
    }
}
