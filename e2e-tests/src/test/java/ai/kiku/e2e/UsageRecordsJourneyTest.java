package ai.kiku.e2e;

import ai.kiku.devstack.PgWire;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Per-request usage across the real services (issue 15): metered calls through api-service, settled in Redis,
 * consumed by billing into PostgreSQL, listed back through {@code /api/v1/usage/requests} and exported as CSV by
 * {@code /api/v1/usage/export}, under the request ids the API answered with and at the prices charged.
 */
class UsageRecordsJourneyTest {

    private static final Duration EVENTUALLY = Duration.ofSeconds(60);
    private static final String PRICED_MODEL = "gpt-4o-mini";
    private static Platform platform;

    /** What a call was answered with: its request id, key and model. */
    private record Call(String requestId, long keyId, String model) {
    }

    /** A key with its plaintext. */
    private record Key(long keyId, String plaintext) {
    }

    @BeforeAll
    static void start() {
        platform = Platform.withLocalModel(PRICED_MODEL);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static RequestSpecification admin() {
        return platform.admin();
    }

    private static RequestSpecification as(Key key) {
        return RestAssured.given().baseUri(platform.api.url()).header("Authorization", "Bearer " + key.plaintext());
    }

    private static long newAccount(long credit) {
        long account = admin().body(Map.of("telegramUserId", 8_000_000_000L + (System.nanoTime() % 1_000_000_000L),
                "displayName", "Usage")).post("/admin/v1/accounts").then().statusCode(200).extract().jsonPath()
                .getLong("accountId");
        admin().body(Map.of("amountMicros", credit, "reason", "e2e", "idempotencyKey", UUID.randomUUID().toString()))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        return account;
    }

    private static Key newKey(long account) {
        JsonPath key = admin().body(Map.of("name", "usage", "rateLimitPerMinute", 6000))
                .post("/admin/v1/accounts/" + account + "/keys").then().statusCode(201).extract().jsonPath();
        return new Key(key.getLong("keyId"), key.getString("key"));
    }

    private static long balance(Key key) {
        return as(key).get("/api/v1/balance").then().statusCode(200).extract().jsonPath().getLong("balanceMicros");
    }

    private static JsonPath page(Key key, String query) {
        return as(key).get("/api/v1/usage/requests?" + query).then().statusCode(200).extract().jsonPath();
    }

    /** Every record of a query, following nextCursor; asserts that no page exceeds the limit. */
    private static List<Map<String, Object>> walk(Key key, String query, int limit) {
        List<Map<String, Object>> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonPath p = page(key, "limit=" + limit + (query.isEmpty() ? "" : "&" + query) + (cursor == null ? "" : "&cursor=" + cursor));
            List<Map<String, Object>> rows = p.getList("records");
            assertThat(rows.size()).isLessThanOrEqualTo(limit);
            all.addAll(rows);
            cursor = p.getString("nextCursor");
        } while (cursor != null);
        return all;
    }

    private static List<String> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(r -> (String) r.get("requestId")).toList();
    }

    /** The CSV line billing's record should be exported as. */
    private static String csvLine(Map<String, Object> r) {
        return String.join(",", (String) r.get("requestId"), Instant.parse((String) r.get("occurredAt")).toString(),
                String.valueOf(r.get("keyId")), (String) r.get("product"), (String) r.get("model"),
                String.valueOf(r.get("inputTokens")), String.valueOf(r.get("outputTokens")),
                String.valueOf(r.get("costMicros")), (String) r.get("cost"));
    }

    private static List<String> csv(Key key, String query) {
        Response answer = as(key).get("/api/v1/usage/export?format=csv" + query);
        answer.then().statusCode(200).contentType(startsWith("text/csv"));
        String body = answer.asString();
        assertThat(body).endsWith("\r\n");
        List<String> lines = List.of(body.split("\r\n", -1));
        assertThat(lines.get(0)).isEqualTo("request_id,occurred_at,key_id,product,model,input_tokens,output_tokens,"
                + "cost_micros,cost_usd");
        return lines.subList(1, lines.size() - 1);
    }

    @Test
    void shouldListAndExportEveryMeteredCallAtTheCostCharged() {
        long account = newAccount(5_000_000);
        Key first = newKey(account);
        Key second = newKey(account);
        Await.until("the credit in Redis", EVENTUALLY, () -> balance(first), b -> b == 5_000_000L);

        Map<String, Call> calls = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            Key key = i % 2 == 0 ? first : second;
            String model = i % 3 == 0 ? PRICED_MODEL : "local-echo";
            Response r = as(key).contentType(ContentType.JSON)
                    .body("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"count to " + i
                            + " please\"}]}").post("/v1/chat/completions");
            r.then().statusCode(200);
            String id = r.header("X-Request-Id");
            calls.put(id, new Call(id, key.keyId(), model));
        }
        List<Map<String, Object>> all = Await.until("billing to record the 7 calls", EVENTUALLY,
                () -> page(first, "limit=1000").<Map<String, Object>>getList("records"), rows -> rows.size() == 7);
        long spent = 5_000_000L - balance(second);

        assertThat(ids(all)).containsExactlyInAnyOrderElementsOf(calls.keySet());
        for (Map<String, Object> r : all) {
            Call call = calls.get((String) r.get("requestId"));
            assertThat(((Number) r.get("keyId")).longValue()).isEqualTo(call.keyId());
            assertThat(r.get("model")).isEqualTo(call.model());
        }
        assertThat(all.stream().mapToLong(r -> ((Number) r.get("costMicros")).longValue()).sum())
                .as("the records' costs are what the balance lost").isEqualTo(spent).isPositive();
        List<Instant> times = all.stream().map(r -> Instant.parse((String) r.get("occurredAt"))).toList();
        assertThat(times).as("newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());

        assertThat(ids(walk(first, "", 2))).as("pages of 2 serve each record once, in order").isEqualTo(ids(all));
        assertThat(ids(walk(second, "key=" + second.keyId(), 2))).containsExactlyInAnyOrderElementsOf(
                calls.values().stream().filter(c -> c.keyId() == second.keyId()).map(Call::requestId).toList());
        assertThat(ids(walk(first, "model=" + PRICED_MODEL, 2))).containsExactlyInAnyOrderElementsOf(
                calls.values().stream().filter(c -> c.model().equals(PRICED_MODEL)).map(Call::requestId).toList());
        String from = (String) all.get(4).get("occurredAt");
        String to = (String) all.get(1).get("occurredAt");
        assertThat(ids(walk(first, "from=" + from + "&to=" + to, 2))).as("from inclusive, to exclusive")
                .isEqualTo(ids(all.stream().filter(r -> !Instant.parse((String) r.get("occurredAt")).isBefore(
                        Instant.parse(from)) && Instant.parse((String) r.get("occurredAt")).isBefore(Instant.parse(to)))
                        .toList()));

        assertThat(csv(first, "")).as("the CSV rows are the JSON records")
                .isEqualTo(all.stream().map(UsageRecordsJourneyTest::csvLine).toList());
        assertThat(csv(first, "&key=" + first.keyId() + "&model=local-echo")).isEqualTo(all.stream()
                .filter(r -> ((Number) r.get("keyId")).longValue() == first.keyId() && r.get("model").equals("local-echo"))
                .map(UsageRecordsJourneyTest::csvLine).toList());
    }

    @Test
    void shouldStreamAnExportLongerThanOnePageOfBilling() throws IOException {
        long account = newAccount(1_000_000);
        Key key = newKey(account);
        int rows = 2_345;
        try (PgWire db = platform.session()) {
            db.query("INSERT INTO usage_records (account_id, request_id, key_id, product, model, input_tokens, "
                    + "output_tokens, cost_micros, occurred_at) SELECT " + account + ", 'req_bulk_' || g, "
                    + key.keyId() + ", 'llm-proxy', CASE WHEN g % 7 = 0 THEN 'we,\"ird' ELSE 'local-echo' END, g, 1, "
                    + "1000 + g, timestamptz '2026-11-01T00:00:00Z' + (g / 3) * interval '1 second' "
                    + "FROM generate_series(1, " + rows + ") g");
        }
        List<String> lines = csv(key, "");
        assertThat(lines).hasSize(rows);
        assertThat(new HashSet<>(lines.stream().map(l -> l.substring(0, l.indexOf(','))).toList())).hasSize(rows);
        assertThat(lines).contains("req_bulk_7,2026-11-01T00:00:02Z," + key.keyId() + ",llm-proxy,\"we,\"\"ird\",7,1,1007,0.001007");
        assertThat(lines.get(0)).startsWith("req_bulk_2345,");
        assertThat(lines.get(rows - 1)).startsWith("req_bulk_1,");
        long total = lines.stream().mapToLong(l -> Long.parseLong(l.split(",")[l.split(",").length - 2])).sum();
        assertThat(total).isEqualTo(1000L * rows + (long) rows * (rows + 1) / 2);
    }

    @Test
    void shouldRefuseBadParametersNamingThemAndUnknownKeys() {
        Key key = newKey(newAccount(1_000_000));
        for (Map.Entry<String, String> bad : Map.of("/api/v1/usage/requests?limit=0", "limit",
                "/api/v1/usage/requests?limit=1001", "limit", "/api/v1/usage/requests?cursor=nope", "cursor",
                "/api/v1/usage/requests?from=monday", "from", "/api/v1/usage/requests?key=k1", "key",
                "/api/v1/usage/export?format=xlsx", "format", "/api/v1/usage/export?format=csv&to=soon", "to").entrySet()) {
            as(key).get(bad.getKey()).then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo(bad.getValue()));
        }
        RestAssured.given().baseUri(platform.api.url()).get("/api/v1/usage/requests?limit=0").then().statusCode(401);
        RestAssured.given().baseUri(platform.api.url()).get("/api/v1/usage/export?format=csv").then().statusCode(401);
    }
}
