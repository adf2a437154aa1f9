package ai.kiku.billing;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.testing.PrometheusText;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class ReconciliationTest extends BillingTestBase {

    @Test
    void shouldDetectInjectedDriftAndRepairItWithALedgerTrail() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 3_000_000);
        charge(account, key, 10_000, 7_000);
        awaitDrained(account);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsChecked", equalTo(1)).body("accountsWithDrift", equalTo(0));

        redis("HINCRBY", KeySchema.account(account), "balance", 123_456);

        JsonPath all = admin().get("/admin/v1/reconciliation").then().statusCode(200).extract().jsonPath();
        assertThat(all.getInt("accountsWithDrift")).isGreaterThanOrEqualTo(1);
        Map<String, Object> mine = all.getMap("accounts.find { it.accountId == " + account + " }");
        assertThat(((Number) mine.get("driftMicros")).longValue()).isEqualTo(123_456);
        assertThat(((Number) mine.get("ledgerBalanceMicros")).longValue()).isEqualTo(2_993_000);
        assertThat(((Number) mine.get("redisBalanceMicros")).longValue()).isEqualTo(3_116_456);
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("kiku_usage_backlog");
        // the full run just made sets the gauges (they exist at 0 from startup, so their values are what counts)
        assertThat(PrometheusText.value(metrics, "kiku_reconciliation_drift_accounts")).isGreaterThanOrEqualTo(BigDecimal.ONE);
        assertThat(PrometheusText.value(metrics, "kiku_reconciliation_drift_micros")).isGreaterThanOrEqualTo(BigDecimal.valueOf(123_456));

        admin().body(Map.of("accountId", account)).post("/admin/v1/reconciliation/repair").then().statusCode(200)
                .body("accountsWithDrift", equalTo(1)).body("accountsRepaired", equalTo(1))
                .body("totalDriftMicros", equalTo(123_456)).body("accounts[0].repaired", equalTo(true));

        assertThat(redisBalance(account)).isEqualTo(2_993_000);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1 AND kind = 'reconciliation' "
                + "AND amount_micros = 0 AND external_ref LIKE $2 AND description LIKE '%3116456 -> 2993000%'",
                account, "recon:" + account + ":%")).isEqualTo(1);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(2_993_000);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0));
        // The repair restored the applied references: replaying an old credit changes nothing.
        assertThat(redis("HLEN", KeySchema.refs(account)).toLong()).isEqualTo(1);
    }

    @Test
    void shouldNotReportChargesStillInTheStreamAsDrift() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 1_000_000);
        consumer.stop();
        try {
            charge(account, key, 50_000, 40_000);
            charge(account, key, 50_000, 30_000);
            admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                    .body("accountsWithDrift", equalTo(0));
            assertThat(redisBalance(account)).isEqualTo(930_000);
        } finally {
            consumer.start();
        }
        awaitDrained(account);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0));
    }

    @Test
    void shouldRebuildAccountsRedisLostThroughTheJobQueue() {
        long account = createAccount();
        JsonPath created = admin().body(Map.of("name", "ci")).post("/admin/v1/accounts/" + account + "/keys")
                .then().statusCode(201).extract().jsonPath();
        long key = created.getLong("keyId");
        String keyIndex = KeySchema.keyIndex(ai.kiku.billing.service.ApiKeys.sha256Hex(created.getString("key")));
        credit(account, 2_000_000);
        charge(account, key, 10_000, 10_000);
        awaitDrained(account);
        // A failover that lost the account's state.
        redis("DEL", KeySchema.account(account), KeySchema.refs(account), KeySchema.apiKey(account, key));
        redis("DEL", keyIndex);
        redis("DEL", "kiku:catalogue");

        String job = admin().post("/admin/v1/accounts/rebuild").then().statusCode(202)
                .body("state", equalTo("queued")).extract().jsonPath().getString("jobId");
        eventually("rebuild job done", Duration.ofSeconds(60), () -> "done".equals(
                admin().get("/admin/v1/jobs/" + job).then().statusCode(200).extract().jsonPath().getString("state")));

        assertThat(redisBalance(account)).isEqualTo(1_990_000);
        assertThat(redis("HGET", KeySchema.account(account), "status").toString()).isEqualTo("active");
        assertThat(redis("HGET", KeySchema.apiKey(account, key), "status").toString()).isEqualTo("active");
        assertThat(redis("GET", keyIndex).toString()).isEqualTo(account + ":" + key);
        assertThat(redis("HLEN", KeySchema.refs(account)).toLong()).isEqualTo(1);
        assertThat(redis("GET", "kiku:catalogue").toString()).contains("llm-proxy");
        charge(account, key, 10_000, 10_000);
    }

    @Test
    void shouldRebuildOneAccountOnDemand() {
        long account = createAccount();
        credit(account, 400_000);
        redis("HSET", KeySchema.account(account), "balance", "1");
        admin().post("/admin/v1/accounts/" + account + "/rebuild").then().statusCode(200)
                .body("previousBalanceMicros", equalTo(1)).body("balanceMicros", equalTo(400_000));
        admin().post("/admin/v1/accounts/999999999/rebuild").then().statusCode(404);
    }
}
