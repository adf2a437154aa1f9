package ai.kiku.billing;

import ai.kiku.common.money.ReserveResult;
import ai.kiku.common.money.Usage;
import ai.kiku.common.redis.KeySchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * A usage entry PostgreSQL refuses for good is dead-lettered with an alert and its charge kept in
 * the ledger; a transient failure is retried. The refusals are provoked on the real database by a
 * test trigger on usage_records that fails chosen request ids the way Citus refuses an unplannable
 * statement (0A000) or a missing function fails (42883).
 */
@QuarkusTest
class UsageDeadLetterTest extends BillingTestBase {

    @Inject
    MeterRegistry registry;

    @BeforeEach
    void installRefusals() {
        sql("CREATE TABLE IF NOT EXISTS test_flaky (on_ boolean)");
        sql("""
                CREATE OR REPLACE FUNCTION test_refuse_usage() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.request_id LIKE 'citus-refuses-%' THEN
                        RAISE EXCEPTION 'STABLE functions used in UPDATE queries cannot be called with column references'
                            USING ERRCODE = 'feature_not_supported';
                    END IF;
                    IF NEW.request_id LIKE 'no-such-function-%' THEN
                        PERFORM kiku_no_such_function(NEW.request_id);
                    END IF;
                    IF NEW.request_id LIKE 'flaky-%' AND EXISTS (SELECT 1 FROM test_flaky) THEN
                        RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure';
                    END IF;
                    RETURN NEW;
                END $$""");
        sql("DROP TRIGGER IF EXISTS test_refuse_usage ON usage_records");
        sql("CREATE TRIGGER test_refuse_usage BEFORE INSERT ON usage_records FOR EACH ROW "
                + "EXECUTE FUNCTION test_refuse_usage()");
    }

    @AfterEach
    void removeRefusals() {
        sql("DROP TRIGGER IF EXISTS test_refuse_usage ON usage_records");
        sql("DROP FUNCTION IF EXISTS test_refuse_usage()");
        sql("DROP TABLE IF EXISTS test_flaky");
    }

    @Test
    void shouldDeadLetterAStatementPostgresCannotPlanAndKeepItsChargeInTheLedger() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 1_000_000);
        double deadBefore = counter("kiku.usage.dead");
        String unplannable = "citus-refuses-" + UUID.randomUUID();
        String undefined = "no-such-function-" + UUID.randomUUID();
        charge(account, key, 5000, 1000);
        settle(account, key, unplannable, 1234);
        settle(account, key, undefined, 777);
        charge(account, key, 5000, 1000);

        awaitDrained(account);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1", account)).isEqualTo(2);
        // the ledger keeps every charge the balance paid, so a rebuild from it refunds nothing
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1 AND kind = 'usage'",
                account)).isEqualTo(-(1000 + 1234 + 777 + 1000));
        assertThat(sqlLong("SELECT amount_micros FROM ledger_entries WHERE account_id = $1 AND external_ref = $2",
                account, unplannable)).isEqualTo(-1234);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(redisBalance(account)).isEqualTo(1_000_000 - 4011);

        Map<String, Map<String, String>> parked = deadEntries(account);
        assertThat(parked).containsOnlyKeys(unplannable, undefined);
        assertThat(parked.get(unplannable)).containsEntry("dead_ledger", "booked").containsEntry("cost", "1234");
        assertThat(parked.get(unplannable).get("dead_reason")).contains("0A000");
        assertThat(parked.get(undefined).get("dead_reason")).contains("42883");
        assertThat(counter("kiku.usage.dead")).isEqualTo(deadBefore + 2);

        admin().get("/admin/v1/usage/dead-letters?limit=1000").then().statusCode(200)
                .body("total", greaterThanOrEqualTo(2))
                .body("entries.findAll { it.accountId == " + account + " }.requestId",
                        org.hamcrest.Matchers.containsInAnyOrder(unplannable, undefined))
                .body("entries.find { it.requestId == '" + unplannable + "' }.ledger",
                        org.hamcrest.Matchers.equalTo("booked"));
        given().get("/admin/v1/usage/dead-letters").then().statusCode(401);
        admin().get("/admin/v1/usage/dead-letters?limit=0").then().statusCode(400);

        long before = redisBalance(account);
        admin().body(Map.of("accountId", account)).post("/admin/v1/reconciliation/repair").then().statusCode(200);
        assertThat(redisBalance(account)).as("repair from the ledger refunds no dead-lettered charge").isEqualTo(before);
    }

    @Test
    void shouldRetryATransientFailureInsteadOfDeadLetteringIt() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 1_000_000);
        double failuresBefore = counter("kiku.usage.consumer.failures");
        sql("INSERT INTO test_flaky VALUES (true)");
        String flaky = "flaky-" + UUID.randomUUID();
        settle(account, key, flaky, 4321);
        eventually("consumer retrying the serialization failure", Duration.ofSeconds(30),
                () -> counter("kiku.usage.consumer.failures") >= failuresBefore + 2);
        assertThat(redis("XLEN", KeySchema.usageLog(account)).toLong()).isGreaterThanOrEqualTo(1);
        assertThat(deadEntries(account)).isEmpty();

        sql("DELETE FROM test_flaky");
        awaitDrained(account);
        assertThat(sqlLong("SELECT cost_micros FROM usage_records WHERE account_id = $1 AND request_id = $2",
                account, flaky)).isEqualTo(4321);
        assertThat(deadEntries(account)).isEmpty();
    }

    @Test
    void shouldParkAnEntryWhoseAccountCannotBeReadWithoutBookingIt() {
        String stream = KeySchema.usageLogOfPartition(7);
        double unbookedBefore = counter("kiku.usage.dead.unbooked");
        String id = redis("XADD", stream, "*", "type", "usage", "acct", "not-a-number", "req", "r-" + UUID.randomUUID(),
                "cost", "500").toString();
        eventually("malformed entry parked", Duration.ofSeconds(30), () -> dead(stream).stream()
                .anyMatch(f -> id.equals(f.get("dead_source_id"))));
        Map<String, String> parked = dead(stream).stream().filter(f -> id.equals(f.get("dead_source_id")))
                .findFirst().orElseThrow();
        assertThat(parked).containsEntry("dead_ledger", "none");
        assertThat(parked.get("dead_reason")).startsWith("unparseable");
        // the counter moves right after the parked entry is written, not with it
        eventually("unbooked entry counted", Duration.ofSeconds(10),
                () -> counter("kiku.usage.dead.unbooked") == unbookedBefore + 1);
        assertThat(counter("kiku.usage.dead.unbooked")).isEqualTo(unbookedBefore + 1);
        eventually("stream drained", Duration.ofSeconds(30), () -> redis("XLEN", stream).toLong() == 0);
    }

    @Test
    void shouldStoreTheOverageOfAUsageEntryAndZeroWhenAbsent() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        String over = "over-" + UUID.randomUUID();
        String old = "old-" + UUID.randomUUID();
        String now = Long.toString(System.currentTimeMillis());
        redis("XADD", KeySchema.usageLog(account), "*", "type", "usage", "req", over, "acct", account, "key", key,
                "product", "llm-proxy", "model", "local-echo", "in", 10, "out", 4, "cost", 6500, "late", 0, "ts", now,
                "over", 1500);
        redis("XADD", KeySchema.usageLog(account), "*", "type", "usage", "req", old, "acct", account, "key", key,
                "product", "llm-proxy", "model", "local-echo", "in", 10, "out", 4, "cost", 900, "late", 0, "ts", now);
        awaitDrained(account);
        assertThat(sqlLong("SELECT overage_micros FROM usage_records WHERE account_id = $1 AND request_id = $2",
                account, over)).isEqualTo(1500);
        assertThat(sqlLong("SELECT cost_micros FROM usage_records WHERE account_id = $1 AND request_id = $2",
                account, over)).isEqualTo(6500);
        assertThat(sqlLong("SELECT count(*) FROM usage_records WHERE account_id = $1 AND request_id = $2 "
                + "AND overage_micros = 0", account, old)).isEqualTo(1);
        assertThat(deadEntries(account)).isEmpty();
    }

    /** A settle under a chosen request id, as the api-service does it. */
    private void settle(long account, long key, String requestId, long cost) {
        ReserveResult r = money.reserve(account, key, requestId, 5000).await().indefinitely();
        assertThat(r.reserved()).as("reserve %s", r).isTrue();
        money.settle(account, requestId, cost, new Usage(key, "llm-proxy", "local-echo", 10, 4)).await().indefinitely();
    }

    /** Parked entries of the account's partition that belong to it, by request id. */
    private Map<String, Map<String, String>> deadEntries(long account) {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (Map<String, String> f : dead(KeySchema.usageLog(account))) {
            if (Long.toString(account).equals(f.get("acct"))) {
                out.put(f.get("req"), f);
            }
        }
        return out;
    }

    private List<Map<String, String>> dead(String stream) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Response entry : redis("XRANGE", stream + ":dead", "-", "+")) {
            Response f = entry.get(1);
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i + 1 < f.size(); i += 2) {
                fields.put(f.get(i).toString(), f.get(i + 1).toString());
            }
            out.add(fields);
        }
        return out;
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }

    private double counter(String name) {
        var c = registry.find(name).counter();
        return c == null ? 0 : c.count();
    }
}
