package ai.kiku.billing;

import ai.kiku.common.money.ReserveOutcome;
import ai.kiku.common.money.ReserveResult;
import ai.kiku.common.money.Usage;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A rebuild reads PostgreSQL and writes Redis while money keeps moving. Before rebuild.lua became a
 * merge, a loop of rebuilds beside metered calls and credits left Redis thousands of micros away
 * from the ledger (charges overwritten: free calls; credits applied twice) and revived revoked keys.
 */
@QuarkusTest
class RebuildRaceTest extends BillingTestBase {

    private static final int SETTLES = 1_000;
    private static final int CREDITS = 40;
    private static final int WORKERS = 8;

    @Test
    void shouldEndWithZeroDriftAndTheRevokeInForceAfterARebuildLoopRacingSettlesCreditsAndARevoke()
            throws Exception {
        long account = createAccount();
        long payer = createKey(account, 10_000);
        long revoked = createKey(account, 10_000);
        credit(account, 50_000_000);
        AtomicBoolean racing = new AtomicBoolean(true);
        AtomicInteger rebuilds = new AtomicInteger();
        AtomicLong charged = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS + 3);
        CountDownLatch start = new CountDownLatch(1);
        try {
            CompletableFuture<Void> rebuildLoop = CompletableFuture.runAsync(() -> {
                await(start);
                while (racing.get()) {
                    admin().post("/admin/v1/accounts/" + account + "/rebuild").then().statusCode(200);
                    rebuilds.incrementAndGet();
                }
            }, pool);
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                work.add(CompletableFuture.runAsync(() -> {
                    await(start);
                    for (int i = worker; i < SETTLES; i += WORKERS) {
                        long cost = 1_000 + i;
                        settleOne(account, payer, 5_000, cost);
                        charged.addAndGet(cost);
                        if (i % (SETTLES / CREDITS) == 0) {
                            credit(account, 7_000 + i);
                        }
                    }
                }, pool));
            }
            work.add(CompletableFuture.runAsync(() -> {
                await(start);
                sleep(200);
                admin().delete("/admin/v1/accounts/" + account + "/keys/" + revoked).then().statusCode(200);
            }, pool));
            start.countDown();
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            racing.set(false);
            rebuildLoop.get(1, TimeUnit.MINUTES);
        } finally {
            racing.set(false);
            pool.shutdownNow();
        }

        awaitDrained(account);
        assertThat(rebuilds.get()).as("rebuilds that raced the money").isGreaterThanOrEqualTo(3);
        long credits = 50_000_000;
        for (int i = 0; i < SETTLES; i += SETTLES / CREDITS) {
            credits += 7_000 + i;
        }
        long ledger = sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account);
        assertThat(ledger).isEqualTo(credits - charged.get());
        assertThat(redisBalance(account)).isEqualTo(ledger);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0));
        assertThat(redis("HGET", KeySchema.apiKey(account, revoked), "status").toString()).isEqualTo("revoked");
        ReserveResult refused = money.reserve(account, revoked, "after-revoke", 1).await().atMost(Duration.ofSeconds(30));
        assertThat(refused.outcome()).isEqualTo(ReserveOutcome.KEY_INACTIVE);
    }

    @Test
    void shouldKeepEveryKeyRevokedWhileThreeRebuildsRepublishTheAccountsKeys() throws Exception {
        long account = createAccount();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(createKey(account, 600));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<Void>> work = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                work.add(CompletableFuture.runAsync(() -> admin().post("/admin/v1/accounts/" + account + "/rebuild")
                        .then().statusCode(200), pool));
            }
            for (long key : keys) {
                work.add(CompletableFuture.runAsync(() -> admin().delete("/admin/v1/accounts/" + account + "/keys/" + key)
                        .then().statusCode(200), pool));
            }
            CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }

        for (long key : keys) {
            assertThat(redis("HGET", KeySchema.apiKey(account, key), "status").toString()).as("key %d", key)
                    .isEqualTo("revoked");
            assertThat(money.reserve(account, key, "r-" + key, 0).await().atMost(Duration.ofSeconds(30)).outcome())
                    .isEqualTo(ReserveOutcome.KEY_INACTIVE);
        }
    }

    @Test
    void shouldChangeNothingWhenAnAdjustmentIsResentAfterARebuild() {
        long account = createAccount();
        Map<String, Object> adjustment = Map.of("amountMicros", 2_000, "reason", "goodwill",
                "idempotencyKey", UUID.randomUUID().toString());
        admin().body(adjustment).post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200)
                .body("applied", equalTo(true));
        admin().post("/admin/v1/accounts/" + account + "/rebuild").then().statusCode(200);

        admin().body(adjustment).post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200)
                .body("applied", equalTo(false));

        assertThat(redisBalance(account)).isEqualTo(2_000);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(2_000);
    }

    private void settleOne(long account, long key, long reserve, long cost) {
        String hold = "req_" + UUID.randomUUID();
        ReserveResult r = money.reserve(account, key, hold, reserve).await().atMost(Duration.ofSeconds(30));
        assertThat(r.reserved()).as("reserve %s", r).isTrue();
        money.settle(account, hold, cost, new Usage(key, "llm-proxy", "local-echo", 10, 4))
                .await().atMost(Duration.ofSeconds(30));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
