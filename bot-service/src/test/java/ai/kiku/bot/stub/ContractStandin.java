package ai.kiku.bot.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * request as {@code "METHOD /path?query"} into the given list.
 */
public final class ContractStandin implements AutoCloseable {

    private static final Pattern ACCOUNT = Pattern.compile("/internal/v1/accounts/(\\d+)(/.*)?");
    private static final Pattern BY_TELEGRAM = Pattern.compile("/internal/v1/accounts/by-telegram/(-?\\d+)");
    private static final Pattern KEY = Pattern.compile("/keys/(\\d+)");
    private static final String BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String token;
    private final List<String> requests;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong ids = new AtomicLong(1000);
    private final Map<Long, Map<String, Object>> accounts = new ConcurrentHashMap<>();
    private final Map<Long, Long> byTelegram = new ConcurrentHashMap<>();
    private final Map<Long, List<Map<String, Object>>> keys = new ConcurrentHashMap<>();
    private final HttpServer server;

    public ContractStandin(String token, List<String> requests) throws IOException {
        this.token = token;
        this.requests = requests;
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
        if (method.equals("POST") && path.equals("/internal/v1/accounts")) {
            long tg = body.get("telegramUserId").asLong();
            Long existing = byTelegram.get(tg);
            if (existing == null) {
                existing = ids.incrementAndGet();
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("accountId", existing);
                a.put("telegramUserId", tg);
                a.put("displayName", body.path("displayName").asText(null));
                a.put("status", "active");
                a.put("balanceMicros", 0L);
                a.put("heldMicros", 0L);
                a.put("lowBalanceThresholdMicros", 1_000_000L);
                a.put("defaultRateLimitPerMinute", 600);
                a.put("createdAt", Instant.now().toString());
                accounts.put(existing, a);
                byTelegram.put(tg, existing);
            }
            send(ex, 200, account(existing));
        } else if (method.equals("GET") && (m = BY_TELEGRAM.matcher(path)).matches()) {
            Long id = byTelegram.get(Long.parseLong(m.group(1)));
            if (id == null) {
                problem(ex, 404, "account not found");
            } else {
                send(ex, 200, account(id));
            }
        } else if (method.equals("GET") && path.equals("/internal/v1/catalogue")) {
            send(ex, 200, Map.of("products", List.of(), "models", List.of(), "creditPacks", List.of(
                    Map.of("paddlePriceId", "pri_local_5", "name", "$5 of credits", "creditsMicros", 5_000_000L,
                            "priceLabel", "USD 5.00"),
                    Map.of("paddlePriceId", "pri_local_20", "name", "$20 of credits", "creditsMicros", 20_000_000L,
                            "priceLabel", "USD 20.00"))));
        } else if (method.equals("POST") && path.equals("/internal/v1/checkouts")) {
            String txn = "txn_" + token(26).toLowerCase();
            send(ex, 201, Map.of("transactionId", txn, "checkoutUrl",
                    "https://checkout.example.test/pay/" + txn + "?acct=" + body.get("accountId").asLong()
                            + "&price=" + body.get("paddlePriceId").asText() + "&qty=" + body.get("quantity").asInt()));
        } else if ((m = ACCOUNT.matcher(path)).matches() && accounts.containsKey(Long.parseLong(m.group(1)))) {
            accountScoped(ex, method, Long.parseLong(m.group(1)), m.group(2) == null ? "" : m.group(2), query, body);
        } else {
            problem(ex, 404, "not found");
        }
    }

    private void accountScoped(HttpExchange ex, String method, long id, String rest, String query, JsonNode body)
            throws IOException {
        List<Map<String, Object>> own = keys.computeIfAbsent(id, k -> new ArrayList<>());
        Matcher m;
        if (method.equals("GET") && rest.isEmpty()) {
            send(ex, 200, account(id));
        } else if (method.equals("POST") && rest.equals("/keys")) {
            String plaintext = "kiku_live_" + token(43);
            Map<String, Object> key = new LinkedHashMap<>();
            key.put("keyId", ids.incrementAndGet());
            key.put("prefix", plaintext.substring(0, 14));
            key.put("name", body.get("name").asText());
            key.put("rateLimitPerMinute", body.path("rateLimitPerMinute").asInt(600));
            key.put("status", "active");
            key.put("createdAt", Instant.now().toString());
            key.put("lastUsedAt", null);
            own.add(key);
            Map<String, Object> created = new LinkedHashMap<>(key);
            created.put("key", plaintext);
            send(ex, 201, created);
        } else if (method.equals("GET") && rest.equals("/keys")) {
            send(ex, 200, own);
        } else if (method.equals("DELETE") && (m = KEY.matcher(rest)).matches()) {
            long keyId = Long.parseLong(m.group(1));
            Map<String, Object> key = own.stream().filter(k -> k.get("keyId").equals(keyId)).findFirst().orElse(null);
            if (key == null) {
                problem(ex, 404, "key not found");
            } else {
                key.put("status", "revoked");
                send(ex, 200, key);
            }
        } else if (method.equals("POST") && rest.equals("/ledger")) {
            Map<String, Object> a = accounts.get(id);
            long balance = (Long) a.get("balanceMicros") + body.get("amountMicros").asLong();
            a.put("balanceMicros", balance);
            send(ex, 200, Map.of("applied", true, "balanceMicros", balance, "balance", format(balance)));
        } else if (method.equals("GET") && rest.equals("/usage")) {
            Map<String, Object> zero = Map.of("requests", 0, "inputTokens", 0, "outputTokens", 0, "costMicros", 0,
                    "cost", "0.000000");
            send(ex, 200, Map.of("accountId", id, "groupBy", "day", "totals", zero, "breakdown", List.of()));
        } else {
            problem(ex, 404, "not found");
        }
    }

    private Map<String, Object> account(long id) {
        Map<String, Object> a = new LinkedHashMap<>(accounts.get(id));
        a.put("balance", format((Long) a.get("balanceMicros")));
        return a;
    }

    private String token(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return s.toString();
    }

    private static String format(long micros) {
        return BigDecimal.valueOf(micros, 6).toPlainString();
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
