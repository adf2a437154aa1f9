package ai.kiku.billing;

import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.money.ReserveResult;
import ai.kiku.common.money.SettleResult;
import ai.kiku.common.money.Usage;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.redis.client.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore drill of docs/operations.md ("Backup, restore, and rebuilding Redis"): pg_dump -Fc, the database
 * dropped and restored with pg_restore, every Redis master flushed, the bulk rebuild through the admin API; then
 * Redis agrees with the restored ledger (balance, credited, spent), keys authenticate, reconciliation finds no drift,
 * and what happened after the dump is lost exactly as the document says, and recovered the way it says.
 */
@QuarkusTest
class RestoreDrillTest extends BillingTestBase {

    @ConfigProperty(name = "kiku.db.name")
    String database;

    private record Customer(long accountId, long keyId, String plaintext) {
    }

    @Test
    void shouldRebuildRedisFromTheRestoredDumpAndLoseOnlyWhatCameAfterIt() throws Exception {
        // --- before the backup point: accounts, keys, Paddle payments, an operator's credit, usage, an open hold
        List<Customer> customers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long account = createAccount();
            JsonPath key = admin().body(Map.of("name", "drill", "rateLimitPerMinute", 1000))
                    .post("/admin/v1/accounts/" + account + "/keys").then().statusCode(201).extract().jsonPath();
            customers.add(new Customer(account, key.getLong("keyId"), key.getString("key")));
            pay(account, "txn_drill_" + UUID.randomUUID(), 5_000_000L * (i + 1)).then().statusCode(200);
            charge(account, key.getLong("keyId"), 100_000, 40_000 + i * 1_000L);
            charge(account, key.getLong("keyId"), 100_000, 3_210);
        }
        Customer payer = customers.get(0);
        Customer user = customers.get(1);
        Customer revoker = customers.get(2);
        credit(payer.accountId(), 1_234_567);
        String inFlight = "req_" + UUID.randomUUID();
        assertThat(money.reserve(revoker.accountId(), revoker.keyId(), inFlight, 250_000).await().indefinitely()
                .reserved()).isTrue();
        customers.forEach(c -> awaitDrained(c.accountId()));

        Postgres pg = Postgres.shared();
        Path dump = Files.createTempDirectory("kiku-drill").resolve("kiku.dump");
        new PgDumpTool(pg).dump(database, dump);
        Map<Long, long[]> atBackup = new java.util.HashMap<>();
        customers.forEach(c -> atBackup.put(c.accountId(), ledgerState(c.accountId())));

        // --- after the backup point: a Paddle payment, usage, a key revocation
        String latePayment = "txn_drill_late_" + UUID.randomUUID();
        pay(payer.accountId(), latePayment, 7_000_000).then().statusCode(200).body("applied", org.hamcrest.Matchers.is(true));
        charge(user.accountId(), user.keyId(), 100_000, 55_000);
        awaitDrained(user.accountId());
        admin().delete("/admin/v1/accounts/" + revoker.accountId() + "/keys/" + revoker.keyId()).then().statusCode(200);
        eventually("revocation in Redis", Duration.ofSeconds(10), () -> "revoked".equals(
                str(redis("HGET", KeySchema.apiKey(revoker.accountId(), revoker.keyId()), "status"))));

        // --- the disaster, and the restore of the truth
        pg.query("postgres", "DROP DATABASE \"" + database + "\" WITH (FORCE)");
        pg.createDatabase(database);
        new PgDumpTool(pg).restore(dump, database);
        RedisCluster.shared().flushAll();
        // (no admin read of these accounts here: billing rebuilds an account it finds missing in Redis on a read)
        eventually("billing's pool reaches the restored database", Duration.ofSeconds(30), this::poolReachesTheLedger);
        for (Customer c : customers) {
            assertThat(redis("GET", KeySchema.keyIndex(ApiKeyFormat.sha256Hex(c.plaintext())))).as("key flushed").isNull();
            assertThat(money.reserve(c.accountId(), c.keyId(), "req_" + UUID.randomUUID(), 1_000).await().indefinitely()
                    .reserved()).as("nothing is spendable before the rebuild").isFalse();
        }

        // --- the rebuild, as the operator runs it
        String job = admin().post("/admin/v1/accounts/rebuild").then().statusCode(202).extract().path("jobId");
        eventually("rebuild job done", Duration.ofSeconds(60), () -> "done".equals(
                admin().get("/admin/v1/jobs/" + job).then().statusCode(200).extract().path("state")));

        // Redis is the restored ledger, every account; every key the ledger knows authenticates
        for (Customer c : customers) {
            long[] ledger = ledgerState(c.accountId());
            assertThat(ledger).as("account %d: the ledger is the dump's", c.accountId()).containsExactly(atBackup.get(c.accountId()));
            assertThat(redisState(c.accountId())).as("account %d in Redis: balance, credited, spent, held", c.accountId())
                    .containsExactly(ledger[0], ledger[1], ledger[2], 0L);
            assertThat(str(redis("GET", KeySchema.keyIndex(ApiKeyFormat.sha256Hex(c.plaintext())))))
                    .as("key of %d resolves", c.accountId()).isEqualTo(c.accountId() + ":" + c.keyId());
            assertThat(str(redis("HGET", KeySchema.apiKey(c.accountId(), c.keyId()), "status"))).isEqualTo("active");
            JsonPath report = admin().get("/admin/v1/reconciliation?accountId=" + c.accountId()).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(report.getInt("accountsWithDrift")).as("drift of %d", c.accountId()).isZero();
            assertThat(report.getLong("totalDriftMicros")).isZero();
        }
        JsonPath all = admin().get("/admin/v1/reconciliation").then().statusCode(200).extract().jsonPath();
        assertThat(all.getInt("accountsWithDrift")).as("drift over every account: %s", all.prettify()).isZero();
        assertThat(all.getInt("accountsFailed")).isZero();
        ReserveResult works = money.reserve(user.accountId(), user.keyId(), "req_" + UUID.randomUUID(), 1_000)
                .await().indefinitely();
        assertThat(works.reserved()).as("a rebuilt key and account take a reservation: %s", works).isTrue();

        // the loss window: the late payment is in neither store until Paddle's replay books it, exactly once
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE external_ref = $1", latePayment)).isZero();
        long before = redisBalance(payer.accountId());
        pay(payer.accountId(), latePayment, 7_000_000).then().statusCode(200).body("applied", org.hamcrest.Matchers.is(true));
        pay(payer.accountId(), latePayment, 7_000_000).then().statusCode(200).body("applied", org.hamcrest.Matchers.is(false));
        assertThat(redisBalance(payer.accountId())).isEqualTo(before + 7_000_000);
        // usage after the backup point is gone from the ledger and from Redis: uncharged, in the customer's favour
        assertThat(redisState(user.accountId())[2]).isEqualTo(atBackup.get(user.accountId())[2]);
        // a key revoked after the backup point is active again until the operator revokes it again
        admin().delete("/admin/v1/accounts/" + revoker.accountId() + "/keys/" + revoker.keyId()).then().statusCode(200);
        eventually("re-revoked", Duration.ofSeconds(10), () -> "revoked".equals(
                str(redis("HGET", KeySchema.apiKey(revoker.accountId(), revoker.keyId()), "status"))));
        // the hold open at the flush is gone (held 0 above); its call's settle is still booked, as a late charge
        SettleResult late = money.settle(revoker.accountId(), inFlight, 77_000,
                new Usage(revoker.keyId(), "llm-proxy", "local-echo", 10, 4)).await().indefinitely();
        assertThat(late.late()).isTrue();
        assertThat(late.chargedMicros()).isEqualTo(77_000);
        awaitDrained(revoker.accountId());
        for (Customer c : customers) {
            assertThat(admin().get("/admin/v1/reconciliation?accountId=" + c.accountId()).then().statusCode(200)
                    .extract().jsonPath().getInt("accountsWithDrift")).as("drift of %d after recovery", c.accountId()).isZero();
        }
    }

    private boolean poolReachesTheLedger() {
        try {
            return sqlLong("SELECT count(*) FROM ledger_entries") > 0;
        } catch (RuntimeException stale) {
            return false; // a connection the DROP ... WITH (FORCE) closed; the pool replaces it
        }
    }

    /** A Paddle payment as webhook-service books it: kind payment, the transaction id as reference. */
    private static io.restassured.response.Response pay(long accountId, String transactionId, long micros) {
        return internal().body(Map.of("kind", "payment", "amountMicros", micros, "externalRef", transactionId,
                "description", "drill")).post("/internal/v1/accounts/" + accountId + "/ledger");
    }

    /** The ledger's balance, credits and debits (credited in Redis terms) and recorded usage (spent). */
    private long[] ledgerState(long accountId) {
        return new long[] {
            sqlLong("SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries WHERE account_id = $1", accountId),
            sqlLong("SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries WHERE account_id = $1 "
                    + "AND kind <> 'usage'", accountId),
            sqlLong("SELECT coalesce(-sum(amount_micros), 0)::bigint FROM ledger_entries WHERE account_id = $1 "
                    + "AND kind = 'usage'", accountId)};
    }

    private long[] redisState(long accountId) {
        Response r = redis("HMGET", KeySchema.account(accountId), "balance", "credited", "spent", "held");
        long[] out = new long[4];
        for (int i = 0; i < 4; i++) {
            out[i] = r.get(i) == null ? Long.MIN_VALUE : r.get(i).toLong();
        }
        return out;
    }

    private static String str(Response r) {
        return r == null ? null : r.toString();
    }
}
