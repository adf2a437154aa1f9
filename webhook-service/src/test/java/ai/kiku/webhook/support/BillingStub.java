package ai.kiku.webhook.support;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.common.money.Micros;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for billing-service's internal API in these tests (billing is another app, being
 * written alongside). It implements the documented contract (team brief, "Internal API of
 * billing-service"): the ledger books each externalRef once per account and answers
 * {@code applied:false} for a repeat, exactly as billing dedupes on (account_id, external_ref);
 * unknown accounts are 404; a chargeback suspends; the bearer token is checked. It records every
 * ledger call so tests can assert exactly-once at the boundary where this service ends, and the
 * ledger calls it refused with 404 because the account is unknown. Its bodies are the shared contract's records
 * ({@code ai.kiku.common.contract}), so a contract change that this stand-in does not follow fails to compile.
 */
public final class BillingStub {

    /** What this service sends to billing (its kiku.internal.token in the test profile). */
    public static final String TOKEN = "test-webhook-token";
    private static final Pattern ACCOUNT = Pattern.compile("^" + InternalApi.ACCOUNTS + "/(\\d+)$");
    private static final Pattern LEDGER = Pattern.compile("^" + InternalApi.ACCOUNTS + "/(\\d+)/ledger$");
    private static BillingStub shared;

    /** One ledger call as received, with billing's verdict. */
    public record LedgerCall(long accountId, String kind, long amountMicros, String externalRef, boolean applied) {
    }

    private final ObjectMapper mapper = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build(); // as billing writes dates
    private final HttpServer server;
    private final Map<Long, Long> balances = new HashMap<>();
    private final Map<Long, String> statuses = new HashMap<>();
    private final Map<Long, Map<String, Long>> refs = new HashMap<>();
    private final List<LedgerCall> calls = new ArrayList<>();
    private final List<LedgerCall> refused = new ArrayList<>();
    private final Map<String, Long> packs = new ConcurrentHashMap<>();
    private final Set<Long> failing = ConcurrentHashMap.newKeySet();

    private BillingStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
        packs.put("pri_local_5", 5_000_000L);
        packs.put("pri_local_20", 20_000_000L);
        // the price ids of Paddle's own fixture transaction (shared/fixtures/paddle/entities)
        packs.put("pri_01gsz8x8sawmvhz1pv30nge1ke", 3_000_000L);
        packs.put("pri_01h1vjfevh5etwq3rb416a23h2", 10_000_000L);
        packs.put("pri_01gsz98e27ak2tyhexptwc58yk", 19_900_000L);
    }

    public static synchronized BillingStub shared() {
        if (shared == null) {
            try {
                shared = new BillingStub();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void createAccount(long accountId) {
        balances.putIfAbsent(accountId, 0L);
        statuses.putIfAbsent(accountId, "active");
    }

    public synchronized long balance(long accountId) {
        return balances.getOrDefault(accountId, 0L);
    }

    public synchronized String status(long accountId) {
        return statuses.get(accountId);
    }

    public synchronized List<LedgerCall> calls(long accountId) {
        return calls.stream().filter(c -> c.accountId() == accountId).toList();
    }

    /** Ledger calls answered 404 because billing has no such account (nothing was booked for them). */
    public synchronized List<LedgerCall> refused(long accountId) {
        return refused.stream().filter(c -> c.accountId() == accountId).toList();
    }

    /** Makes the ledger of one account answer 503 (billing down for it) until {@link #heal}. */
    public void fail(long accountId) {
        failing.add(accountId);
    }

    public void heal(long accountId) {
        failing.remove(accountId);
    }

    /** Books directly, as if an earlier (crashed) worker had reached billing. */
    public synchronized boolean book(long accountId, String kind, long amount, String ref) {
        Map<String, Long> booked = refs.computeIfAbsent(accountId, k -> new HashMap<>());
        boolean applied = !booked.containsKey(ref);
        if (applied) {
            booked.put(ref, amount);
            balances.merge(accountId, amount, Long::sum);
            if (kind.equals("chargeback")) {
                statuses.put(accountId, "suspended");
            }
        }
        calls.add(new LedgerCall(accountId, kind, amount, ref, applied));
        return applied;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                respond(exchange, 401, Map.of("title", "Unauthorized"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Matcher ledger = LEDGER.matcher(path);
            Matcher account = ACCOUNT.matcher(path);
            if (method.equals("GET") && path.equals(InternalApi.CATALOGUE)) {
                List<Catalogue.CreditPack> list = new ArrayList<>();
                packs.forEach((price, credits) -> list.add(new Catalogue.CreditPack(price,
                        "$" + credits / 1_000_000 + " of credits", credits, "USD")));
                respond(exchange, 200, new Catalogue(List.of(), List.of(), list));
            } else if (method.equals("GET") && account.matches()) {
                long id = Long.parseLong(account.group(1));
                synchronized (this) {
                    if (!balances.containsKey(id)) {
                        respond(exchange, 404, Map.of("title", "Not found"));
                        return;
                    }
                    long balance = balances.get(id);
                    respond(exchange, 200, new AccountView(id, null, null, statuses.get(id), balance,
                            Micros.format(balance), 0, 0, 0, null));
                }
            } else if (method.equals("POST") && ledger.matches()) {
                long id = Long.parseLong(ledger.group(1));
                InternalRequests.Ledger body = mapper.readValue(exchange.getRequestBody(), InternalRequests.Ledger.class);
                if (failing.contains(id)) {
                    respond(exchange, 503, Map.of("title", "Service unavailable"));
                    return;
                }
                synchronized (this) {
                    if (!balances.containsKey(id)) {
                        refused.add(new LedgerCall(id, body.kind(), body.amountMicros(), body.externalRef(), false));
                        respond(exchange, 404, Map.of("title", "Not found"));
                        return;
                    }
                    boolean applied = book(id, body.kind(), body.amountMicros(), body.externalRef());
                    respond(exchange, 200, new LedgerResult(applied, balances.get(id), "n/a"));
                }
            } else {
                respond(exchange, 404, Map.of("title", "Not found"));
            }
        }
    }

    private void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = mapper.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
