package ai.kiku.billing;

import ai.kiku.common.money.ReserveResult;
import ai.kiku.common.money.Usage;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** The per-request usage listing on billing's internal API: keyset pages over usage_records, filters, bad input. */
@QuarkusTest
class UsageRecordsTest extends BillingTestBase {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    /** One stored record, as the test wrote it. */
    private record Rec(String id, Instant at, long key, String model, long cost) {
    }

    private Rec insert(long account, String id, Instant at, long key, String model, long cost) {
        pool.preparedQuery("INSERT INTO usage_records (account_id, request_id, key_id, product, model, input_tokens, "
                        + "output_tokens, cost_micros, occurred_at) VALUES ($1, $2, $3, 'llm-proxy', $4, 10, 4, $5, $6)")
                .execute(Tuple.tuple(List.of(account, id, key, model, cost, OffsetDateTime.ofInstant(at, ZoneOffset.UTC))))
                .await().indefinitely();
        return new Rec(id, at, key, model, cost);
    }

    /** 23 records over 8 distinct times, several sharing one time (a page may end inside a tie). */
    private List<Rec> history(long account) {
        List<Rec> all = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            Instant at = T0.plusMillis((i / 3) * 1_000L + (i % 3 == 2 ? 1 : 0));
            all.add(insert(account, "req_" + UUID.randomUUID(), at, i % 2 == 0 ? 11 : 12,
                    i % 4 == 0 ? "gpt-4o" : "local-echo", 1_000 + i));
        }
        all.sort(Comparator.comparing(Rec::at).thenComparing(Rec::id, Comparator.naturalOrder()).reversed());
        return all;
    }

    private JsonPath page(long account, String query) {
        return asApi().get("/internal/v1/accounts/" + account + "/usage/requests?" + query).then().statusCode(200)
                .extract().jsonPath();
    }

    /** Every page, following nextCursor from the first; the ids in the order served. */
    private List<String> walk(long account, String query) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonPath p = page(account, query + (cursor == null ? "" : "&cursor=" + cursor));
            List<String> got = p.getList("records.requestId");
            assertThat(got.size()).isLessThanOrEqualTo(4);
            ids.addAll(got);
            cursor = p.getString("nextCursor");
            if (cursor == null) {
                return ids;
            }
            assertThat(got).hasSize(4);
        }
        throw new AssertionError("no last page");
    }

    @Test
    void shouldServeEachRecordExactlyOnceNewestFirstAcrossSmallPages() {
        long account = createAccount();
        List<Rec> all = history(account);

        assertThat(walk(account, "limit=4")).containsExactlyElementsOf(all.stream().map(Rec::id).toList());

        JsonPath first = page(account, "limit=1");
        Rec newest = all.get(0);
        assertThat(first.getString("records[0].requestId")).isEqualTo(newest.id());
        assertThat(Instant.parse(first.getString("records[0].occurredAt"))).isEqualTo(newest.at());
        assertThat(first.getLong("records[0].keyId")).isEqualTo(newest.key());
        assertThat(first.getString("records[0].model")).isEqualTo(newest.model());
        assertThat(first.getLong("records[0].inputTokens")).isEqualTo(10);
        assertThat(first.getLong("records[0].outputTokens")).isEqualTo(4);
        assertThat(first.getLong("records[0].costMicros")).isEqualTo(newest.cost());
        assertThat(first.getString("records[0].cost")).isEqualTo("0.00" + newest.cost());
        assertThat(page(account, "limit=100").getList("records")).as("default limit 100 covers all 23").hasSize(23);
        assertThat(page(account, "limit=100").getString("nextCursor")).isNull();
    }

    @Test
    void shouldFilterByKeyModelAndHalfOpenWindow() {
        long account = createAccount();
        List<Rec> all = history(account);
        Instant from = T0.plusSeconds(2);
        Instant to = T0.plusSeconds(5);

        assertThat(walk(account, "limit=4&key=11")).containsExactlyElementsOf(
                all.stream().filter(r -> r.key() == 11).map(Rec::id).toList());
        assertThat(walk(account, "limit=4&model=gpt-4o")).containsExactlyElementsOf(
                all.stream().filter(r -> r.model().equals("gpt-4o")).map(Rec::id).toList());
        assertThat(walk(account, "limit=4&from=" + from + "&to=" + to)).containsExactlyElementsOf(
                all.stream().filter(r -> !r.at().isBefore(from) && r.at().isBefore(to)).map(Rec::id).toList())
                .as("to is exclusive, from inclusive").hasSize(9);
        assertThat(walk(account, "limit=4&key=12&model=local-echo&from=" + from)).containsExactlyElementsOf(
                all.stream().filter(r -> r.key() == 12 && r.model().equals("local-echo") && !r.at().isBefore(from))
                        .map(Rec::id).toList());
        assertThat(page(account, "model=no-such-model").getList("records")).isEmpty();
    }

    @Test
    void shouldListWhatTheMoneyCoreChargedUnderTheRequestIds() {
        long account = createAccount();
        long key = createKey(account, 600);
        credit(account, 5_000_000);
        List<String> holds = new ArrayList<>();
        long charged = 0;
        for (int i = 0; i < 5; i++) {
            String hold = "req_" + UUID.randomUUID();
            ReserveResult r = money.reserve(account, key, hold, 50_000).await().indefinitely();
            assertThat(r.reserved()).isTrue();
            money.settle(account, hold, 1_000 + i, new Usage(key, "llm-proxy", i % 2 == 0 ? "gpt-4o" : "local-echo",
                    100 + i, 7)).await().indefinitely();
            holds.add(hold);
            charged += 1_000 + i;
        }
        awaitDrained(account);

        JsonPath p = page(account, "limit=1000");
        assertThat(p.getList("records.requestId", String.class)).containsExactlyInAnyOrderElementsOf(holds);
        assertThat(p.getList("records.costMicros", Long.class).stream().mapToLong(Long::longValue).sum())
                .isEqualTo(charged);
        assertThat(page(account, "model=gpt-4o").getList("records")).hasSize(3);
        assertThat(page(account, "key=" + key).getList("records")).hasSize(5);
    }

    @Test
    void shouldRefuseBadParametersNamingThem() {
        long account = createAccount();
        String base = "/internal/v1/accounts/" + account + "/usage/requests?";
        for (Map.Entry<String, String> bad : Map.of("limit=0", "limit", "limit=1001", "limit", "limit=ten", "limit",
                "cursor=%25%25", "cursor", "cursor=bm90LWEtY3Vyc29y", "cursor", "from=yesterday", "from",
                "to=2026-13-01T00:00:00Z", "to", "key=abc", "key",
                "from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:00Z", "from").entrySet()) {
            asApi().get(base + bad.getKey()).then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo(bad.getValue()));
        }
        asApi().get("/internal/v1/accounts/987654321987/usage/requests").then().statusCode(404);
        given().get(base + "limit=1").then().statusCode(401);
    }

    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given();
    }
}
