package ai.kiku.bot.stub;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.Checkout;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerEntry;
import ai.kiku.common.contract.LedgerPage;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.common.contract.UsageReport;
import ai.kiku.common.money.Micros;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CONTRACT STAND-IN, not an implementation: the internal API of billing-service and the checkout
 * API of webhook-service exactly as the team brief documents them, implemented minimally in memory
 * (no money rules, no persistence) so that bot-service can be tested while those services are
 * being written. Speaks real HTTP + JSON on loopback, checks the service token, and records each
 * request as {@code "METHOD /path?query"} into the given list. Its bodies are the shared contract's records
 * ({@code ai.kiku.common.contract}), so a contract change that this stand-in does not follow fails to compile.
 */
public final class ContractStandin implements AutoCloseable {

    private static final Pattern ACCOUNT = Pattern.compile(InternalApi.ACCOUNTS + "/(\\d+)(/.*)?");
    private static final Pattern BY_TELEGRAM = Pattern.compile(InternalApi.ACCOUNTS + "/by-telegram/(-?\\d+)");
    private static final List<Catalogue.CreditPack> PACKS = List.of(
            new Catalogue.CreditPack("pri_local_5", "$5 of credits", 5_000_000L, "USD 5.00"),
            new Catalogue.CreditPack("pri_local_20", "$20 of credits", 20_000_000L, "USD 20.00"));
    private static final Pattern KEY = Pattern.compile("/keys/(\\d+)");
    private static final List<Catalogue.Product> PRODUCTS = List.of(
            new Catalogue.Product("llm-proxy", "LLM proxy", "chat completions", 100L));
    private static final List<Catalogue.ModelPrice> MODELS = List.of(
            new Catalogue.ModelPrice("local-echo", "llm-proxy", 150_000L, 600_000L, 4096),
            new Catalogue.ModelPrice("big-model", "llm-proxy", 3_000_000L, 7_000_000L, 8192));
    private static final String BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String token;
    private final List<String> requests;
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build(); // as billing writes dates
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong ids = new AtomicLong(1000);
    private final Map<Long, AccountView> accounts = new ConcurrentHashMap<>();
    private final Map<Long, Long> byTelegram = new ConcurrentHashMap<>();
    private final Map<Long, List<ApiKey>> keys = new ConcurrentHashMap<>();
    private final Map<Long, List<LedgerEntry>> ledger = new ConcurrentHashMap<>();
    private final Map<Long, List<String>> usage;
    private final HttpServer server;

    /**
     * @param usage usage to report per account id: rows "YYYY-MM-DD model requests inputTokens outputTokens
     *              costMicros keyId" (JDK types, filled by tests)
     */
    public ContractStandin(String token, List<String> requests, Map<Long, List<String>> usage) throws IOException {
        this.token = token;
        this.requests = requests;
        this.usage = usage;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            requests.add(method + " " + path + (query == null ? "" : "?" + query));
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                problem(ex, 401, "missing or wrong service token");
                return;
            }
            byte[] raw = ex.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? null : json.readTree(raw);
            route(ex, method, path, query, body);
        }
    }

    private synchronized void route(HttpExchange ex, String method, String path, String query, JsonNode body)
            throws IOException {
        Matcher m;
        if (method.equals("POST") && path.equals(InternalApi.ACCOUNTS)) {
            InternalRequests.CreateAccount create = json.treeToValue(body, InternalRequests.CreateAccount.class);
            long tg = create.telegramUserId();
            Long existing = byTelegram.get(tg);
            if (existing == null) {
                existing = ids.incrementAndGet();
                accounts.put(existing, new AccountView(existing, tg, create.displayName(), "active", 0L,
                        Micros.format(0), 0L, 1_000_000L, 600, Instant.now()));
                byTelegram.put(tg, existing);
            }
            send(ex, 200, accounts.get(existing));
        } else if (method.equals("GET") && (m = BY_TELEGRAM.matcher(path)).matches()) {
            Long id = byTelegram.get(Long.parseLong(m.group(1)));
            if (id == null) {
                problem(ex, 404, "account not found");
            } else {
                send(ex, 200, accounts.get(id));
            }
        } else if (method.equals("GET") && path.equals(InternalApi.CATALOGUE)) {
            send(ex, 200, new Catalogue(PRODUCTS, MODELS, PACKS));
        } else if (method.equals("POST") && path.equals(InternalApi.CHECKOUTS)) {
            InternalRequests.CreateCheckout create = json.treeToValue(body, InternalRequests.CreateCheckout.class);
            String txn = "txn_" + token(26).toLowerCase();
            long credits = PACKS.stream().filter(p -> p.paddlePriceId().equals(create.paddlePriceId()))
                    .mapToLong(Catalogue.CreditPack::creditsMicros).findFirst().orElse(0) * create.quantity();
            send(ex, 201, new Checkout(txn, "https://checkout.example.test/pay/" + txn + "?acct=" + create.accountId()
                    + "&price=" + create.paddlePriceId() + "&qty=" + create.quantity(), credits, Micros.format(credits)));
        } else if ((m = ACCOUNT.matcher(path)).matches() && accounts.containsKey(Long.parseLong(m.group(1)))) {
            accountScoped(ex, method, Long.parseLong(m.group(1)), m.group(2) == null ? "" : m.group(2), query, body);
        } else {
            problem(ex, 404, "not found");
        }
    }

    private void accountScoped(HttpExchange ex, String method, long id, String rest, String query, JsonNode body)
            throws IOException {
        List<ApiKey> own = keys.computeIfAbsent(id, k -> new ArrayList<>());
        Matcher m;
        if (method.equals("GET") && rest.isEmpty()) {
            send(ex, 200, accounts.get(id));
        } else if (method.equals("POST") && rest.equals("/keys")) {
            InternalRequests.CreateKey create = json.treeToValue(body, InternalRequests.CreateKey.class);
            String plaintext = ApiKeyFormat.PREFIX + token(ApiKeyFormat.RANDOM_LENGTH);
            ApiKey key = new ApiKey(ids.incrementAndGet(), null, plaintext.substring(0, ApiKeyFormat.DISPLAY_LENGTH),
                    create.name(), create.rateLimitPerMinute() == null ? 600 : create.rateLimitPerMinute(), ApiKey.ACTIVE,
                    Instant.now(), null);
            own.add(key);
            send(ex, 201, key.withPlaintext(plaintext));
        } else if (method.equals("GET") && rest.equals("/keys")) {
            send(ex, 200, own);
        } else if (method.equals("DELETE") && (m = KEY.matcher(rest)).matches()) {
            long keyId = Long.parseLong(m.group(1));
            int at = -1;
            for (int i = 0; i < own.size(); i++) {
                at = own.get(i).keyId() == keyId ? i : at;
            }
            if (at < 0) {
                problem(ex, 404, "key not found");
            } else {
                ApiKey k = own.get(at);
                ApiKey revoked = new ApiKey(k.keyId(), null, k.prefix(), k.name(), k.rateLimitPerMinute(),
                        ApiKey.REVOKED, k.createdAt(), k.lastUsedAt());
                own.set(at, revoked);
                send(ex, 200, revoked);
            }
        } else if (method.equals("POST") && rest.equals("/ledger")) {
            InternalRequests.Ledger booking = json.treeToValue(body, InternalRequests.Ledger.class);
            AccountView a = accounts.get(id);
            long balance = a.balanceMicros() + booking.amountMicros();
            accounts.put(id, new AccountView(a.accountId(), a.telegramUserId(), a.displayName(), a.status(), balance,
                    Micros.format(balance), a.heldMicros(), a.lowBalanceThresholdMicros(),
                    a.defaultRateLimitPerMinute(), a.createdAt()));
            ledger.computeIfAbsent(id, k -> new ArrayList<>()).add(new LedgerEntry(ids.incrementAndGet(),
                    booking.kind(), booking.amountMicros(), Micros.format(booking.amountMicros()),
                    booking.externalRef(), booking.description(), Instant.now()));
            send(ex, 200, new LedgerResult(true, balance, Micros.format(balance)));
        } else if (method.equals("GET") && rest.equals("/ledger")) {
            List<LedgerEntry> all = new ArrayList<>(ledger.getOrDefault(id, List.of()));
            java.util.Collections.reverse(all);
            Map<String, String> q = query(query);
            int limit = Integer.parseInt(q.getOrDefault("limit", "50"));
            long before = Long.parseLong(q.getOrDefault("before", Long.toString(Long.MAX_VALUE)));
            List<LedgerEntry> page = all.stream().filter(e -> e.entryId() < before).limit(limit).toList();
            send(ex, 200, new LedgerPage(id, page, page.size() == limit ? page.get(page.size() - 1).entryId() : null));
        } else if (method.equals("PUT") && rest.equals("/low-balance-threshold")) {
            InternalRequests.LowBalanceThreshold t = json.treeToValue(body, InternalRequests.LowBalanceThreshold.class);
            if (t.lowBalanceThresholdMicros() == null || t.lowBalanceThresholdMicros() < 0
                    || t.lowBalanceThresholdMicros() > 10_000_000_000L) {
                problem(ex, 400, "lowBalanceThresholdMicros must be between 0 and 10000000000");
                return;
            }
            AccountView a = accounts.get(id);
            AccountView changed = new AccountView(a.accountId(), a.telegramUserId(), a.displayName(), a.status(),
                    a.balanceMicros(), a.balance(), a.heldMicros(), t.lowBalanceThresholdMicros(),
                    a.defaultRateLimitPerMinute(), a.createdAt());
            accounts.put(id, changed);
            send(ex, 200, changed);
        } else if (method.equals("GET") && rest.equals("/usage")) {
            String groupBy = query(query).getOrDefault("groupBy", "day");
            String from = query(query).get("from");
            String firstDay = from == null ? "" : from.substring(0, 10); // rows are whole days
            Map<String, long[]> groups = new java.util.TreeMap<>();
            long[] total = new long[4];
            for (String row : usage.getOrDefault(id, List.of())) {
                String[] f = row.split(" ");
                if (f[0].compareTo(firstDay) < 0) {
                    continue;
                }
                String group = switch (groupBy) {
                    case "model" -> f[1];
                    case "key" -> f[6];
                    case "day-model" -> f[0] + " " + f[1];
                    default -> f[0];
                };
                long[] g = groups.computeIfAbsent(group, k -> new long[4]);
                for (int i = 0; i < 4; i++) {
                    g[i] += Long.parseLong(f[2 + i]);
                    total[i] += Long.parseLong(f[2 + i]);
                }
            }
            List<UsageReport.Row> rows = groups.entrySet().stream()
                    .map(e -> UsageReport.Row.of(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2],
                            e.getValue()[3])).toList();
            send(ex, 200, new UsageReport(id, null, null, groupBy,
                    UsageReport.Row.of(null, total[0], total[1], total[2], total[3]), rows));
        } else {
            problem(ex, 404, "not found");
        }
    }

    private static Map<String, String> query(String query) {
        Map<String, String> q = new java.util.HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private String token(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return s.toString();
    }

    private void problem(HttpExchange ex, int status, String detail) throws IOException {
        byte[] bytes = json.writeValueAsBytes(Map.of("type", "about:blank", "title", "Error", "status", status,
                "detail", detail));
        ex.getResponseHeaders().set("Content-Type", "application/problem+json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
