package ai.kiku.billing;

import ai.kiku.billing.jobs.ReconciliationScheduler;
import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.Resp;
import jakarta.inject.Inject;
import ai.kiku.testing.PrometheusText;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class ReconciliationTest extends BillingTestBase {

    @Inject
    ReconciliationScheduler scheduler;

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
        String keyIndex = KeySchema.keyIndex(ai.kiku.common.contract.ApiKeyFormat.sha256Hex(created.getString("key")));
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
    void shouldRestoreALostCreditAndRevocationOnTheScheduledRunButOnlyReportUsageDrift() {
        long account = createAccount();
        JsonPath created = admin().body(Map.of("name", "ci")).post("/admin/v1/accounts/" + account + "/keys")
                .then().statusCode(201).extract().jsonPath();
        long key = created.getLong("keyId");
        String keyIndex = KeySchema.keyIndex(ApiKeyFormat.sha256Hex(created.getString("key")));
        credit(account, 1_000_000);
        admin().body(Map.of("amountMicros", 500_000, "reason", "t", "idempotencyKey", "lost-" + account))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        admin().delete("/admin/v1/accounts/" + account + "/keys/" + key).then().statusCode(200);
        long other = createAccount();
        credit(other, 100_000);

        // A failover lost the last writes: the second credit (reference and money), the revocation;
        // and some other cause left the other account 7,000 micros short (drift only an operator repairs).
        redis("HDEL", KeySchema.refs(account), "adj:lost-" + account);
        redis("HINCRBY", KeySchema.account(account), "balance", -500_000);
        redis("HSET", KeySchema.apiKey(account, key), "status", "active");
        redis("SET", keyIndex, account + ":" + key);
        redis("HINCRBY", KeySchema.account(other), "balance", -7_000);

        redis("DEL", ReconciliationScheduler.MARKER);
        scheduler.schedule();

        eventually("credit restored and key revoked again", Duration.ofSeconds(30), () -> redisBalance(account) == 1_500_000
                && "revoked".equals(redis("HGET", KeySchema.apiKey(account, key), "status").toString()));
        assertThat(redis("EXISTS", keyIndex).toLong()).isZero();
        assertThat(redis("HEXISTS", KeySchema.refs(account), "adj:lost-" + account).toLong()).isEqualTo(1);
        // exactly once: the ledger still has one entry per credit, and a replay is a duplicate
        admin().body(Map.of("amountMicros", 500_000, "reason", "t", "idempotencyKey", "lost-" + account))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        assertThat(redisBalance(account)).isEqualTo(1_500_000);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0)).body("accounts.size()", equalTo(0));

        // the usage-only drift is reported, alerted (gauge), and left for an operator
        assertThat(redisBalance(other)).isEqualTo(93_000);
        admin().get("/admin/v1/reconciliation?accountId=" + other).then().statusCode(200)
                .body("accountsWithDrift", equalTo(1)).body("accounts[0].driftMicros", equalTo(-7_000))
                .body("accounts[0].repaired", equalTo(false));
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(PrometheusText.value(metrics, "kiku_reconciliation_drift_accounts")).isGreaterThanOrEqualTo(BigDecimal.ONE);
    }

    @Test
    void shouldReportALostCreditAndStatusWithoutRepairingThemWhenOnlyAskedToReport() {
        long account = createAccount();
        long key = createKey(account, 600);
        admin().body(Map.of("amountMicros", 200_000, "reason", "t", "idempotencyKey", "r-" + account))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        admin().body(Map.of("status", "suspended")).patch("/admin/v1/accounts/" + account).then().statusCode(200);
        redis("HDEL", KeySchema.refs(account), "adj:r-" + account);
        redis("HINCRBY", KeySchema.account(account), "balance", -200_000);
        redis("HSET", KeySchema.account(account), "status", "active");

        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accounts[0].missingCredits", equalTo(1)).body("accounts[0].missingCreditsMicros", equalTo(200_000))
                .body("accounts[0].driftMicros", equalTo(-200_000))
                .body("accounts[0].statusMismatches[0]", equalTo("account: redis active, postgresql suspended"));
        assertThat(redisBalance(account)).isZero();
        assertThat(redis("HGET", KeySchema.account(account), "status").toString()).isEqualTo("active");
        assertThat(key).isPositive();
    }

    @Test
    void shouldNotBlockRedisWhileReadingALongPartitionStream() throws Exception {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 1_000_000);
        String stream = KeySchema.usageLog(account);
        int node = RedisCluster.shared().masterPortForKey(stream);
        consumer.stop();
        try (Resp r = Resp.connect(node)) {
            charge(account, key, 10_000, 4_000);
            // 100,000 entries of other accounts in the same partition, as a backlog after an outage
            r.call("EVAL", "for i = 1, 100000 do redis.call('XADD', KEYS[1], '*', 'type', 'usage', 'acct', '0', "
                    + "'req', 'filler', 'cost', '1', 'filler', '1') end return 0", "1", stream);
            charge(account, key, 10_000, 3_000);
            // every command on the node is logged with its arguments (the slow log with a 0 µs threshold): what
            // reconciliation sent to the stream is checked by shape, not by time, which a loaded machine stretches
            r.call("CONFIG", "SET", "slowlog-max-len", "100000");
            r.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            r.call("SLOWLOG", "RESET");
            try {
                admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                        .body("accountsWithDrift", equalTo(0));
                r.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                List<List<String>> reads = commandsOn(r.call("SLOWLOG", "GET", "-1"), stream);
                assertThat(reads).as("reconciliation read the stream").isNotEmpty();
                assertThat(reads).as("only bounded pages of the stream, one short command each").allSatisfy(command -> {
                    String name = command.get(0).toUpperCase(java.util.Locale.ROOT);
                    if (name.equals("XRANGE") || name.equals("XREVRANGE")) {
                        int count = command.indexOf("COUNT") < 0 ? command.indexOf("count") : command.indexOf("COUNT");
                        assertThat(count).as("COUNT in %s", command).isPositive();
                        // a page of at most 1,000 entries is a few milliseconds of Redis' time
                        assertThat(Integer.parseInt(command.get(count + 1))).as("page of %s", command)
                                .isLessThanOrEqualTo(1_000);
                    }
                });
            } finally {
                r.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
                r.call("CONFIG", "SET", "slowlog-max-len", "128");
                r.call("SLOWLOG", "RESET");
                r.call("EVAL", "local n = 0 for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do "
                        + "if e[2][6] == 'filler' then redis.call('XDEL', KEYS[1], e[1]) n = n + 1 end end return n",
                        "1", stream);
            }
        } finally {
            consumer.start();
        }
        awaitDrained(account);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0));
    }

    /** The logged commands (SLOWLOG GET entries: id, time, micros, arguments, ...) naming {@code key}. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> commandsOn(Object slowlog, String key) {
        List<List<String>> commands = new java.util.ArrayList<>();
        for (Object entry : (List<Object>) slowlog) {
            List<String> args = ((List<Object>) ((List<Object>) entry).get(3)).stream().map(String::valueOf).toList();
            if (args.contains(key)) {
                commands.add(args);
            }
        }
        return commands;
    }

    @Test
    void shouldGoOnWithTheOtherAccountsWhenOneCannotBeChecked() {
        long broken = createAccount();
        long drifted = createAccount();
        credit(drifted, 50_000);
        redis("HINCRBY", KeySchema.account(drifted), "balance", 1_000);
        redis("HSET", KeySchema.account(broken), "balance", "not-a-number");
        try {
            JsonPath all = admin().get("/admin/v1/reconciliation").then().statusCode(200).extract().jsonPath();
            assertThat(all.getInt("accountsFailed")).isGreaterThanOrEqualTo(1);
            Map<String, Object> mine = all.getMap("accounts.find { it.accountId == " + drifted + " }");
            assertThat(((Number) mine.get("driftMicros")).longValue()).isEqualTo(1_000);
        } finally {
            redis("HSET", KeySchema.account(broken), "balance", "0");
            redis("HINCRBY", KeySchema.account(drifted), "balance", -1_000);
        }
    }

    @Test
    void shouldNeitherReportNorRefundADeadLetteredCharge() {
        long account = createAccount();
        long key = createKey(account, 10_000);
        credit(account, 100_000);
        String stream = KeySchema.usageLog(account);
        consumer.stop();
        try {
            String hold = charge(account, key, 10_000, 6_000);
            // What the usage consumer does with an entry PostgreSQL refuses: parked in the dead stream.
            for (var entry : redis("XRANGE", stream, "-", "+")) {
                if (entry.get(1).toString().contains(hold)) {
                    List<Object> xadd = new ArrayList<>(List.of("XADD", stream + ":dead", "*"));
                    entry.get(1).forEach(f -> xadd.add(f.toString()));
                    xadd.addAll(List.of("dead_reason", "test", "dead_source_id", entry.get(0).toString()));
                    redis(xadd.toArray());
                    redis("XDEL", stream, entry.get(0).toString());
                }
            }
        } finally {
            consumer.start();
        }
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0));
        admin().body(Map.of("accountId", account)).post("/admin/v1/reconciliation/repair").then().statusCode(200)
                .body("accountsRepaired", equalTo(0));
        assertThat(redisBalance(account)).isEqualTo(94_000);
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
