package ai.kiku.webhook.service;

import ai.kiku.webhook.support.BillingStub;
import ai.kiku.webhook.support.BillingStub.LedgerCall;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * transaction.completed → exactly one payment credit, whatever the delivery pattern; what cannot be
 * credited is held with an alert; failures retry, dead-letter and replay. Exactly-once is asserted
 * at billing's ledger boundary (see {@link BillingStub}) and in the real inbox table.
 */
@QuarkusTest
class CreditFlowTest {

    static final String ADMIN = "Bearer test-admin-token";

    @Inject
    InboxProbe inbox;

    @Inject
    EventProcessor processor;

    @Inject
    MeterRegistry registry;

    final BillingStub billing = BillingStub.shared();

    static long newAccount() {
        long id = ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000_000L);
        BillingStub.shared().createAccount(id);
        return id;
    }

    @AfterEach
    void resumeProcessor() {
        processor.resume();
    }

    @Test
    void shouldCreditCataloguePriceTimesQuantityNotTheChargedTotal() {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        // charged totals (tax, discounts) are irrelevant: 2 x $5 pack + 1 x $20 pack = $30 of credits
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 2, 1234, "pri_local_20", 1, 99))).then()
                .statusCode(200).body("status", equalTo("received"));

        inbox.awaitStatus(eventId, "processed");
        assertThat(billing.calls(account)).containsExactly(new LedgerCall(account, "payment", 30_000_000L, txn, true));
        assertThat(billing.balance(account)).isEqualTo(30_000_000L);
        assertThat(inbox.outcome(eventId)).contains("\"creditedMicros\": 30000000");
    }

    @Test
    void shouldCreditOnceWhenTheSameTransactionIsDelivered20TimesConcurrently() throws Exception {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 1, 500)));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> deliveries = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Callable<Integer> delivery = () -> {
                    start.await();
                    return Paddle.deliver(body, Paddle.sign(body)).statusCode();
                };
                deliveries.add(pool.submit(delivery));
            }
            start.countDown();
            for (Future<Integer> f : deliveries) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).hasSize(20).containsOnly(200);
        inbox.awaitStatus(eventId, "processed");
        Thread.sleep(1500); // a poll cycle: nothing else may reach billing
        assertThat(billing.calls(account)).hasSize(1);
        assertThat(billing.balance(account)).isEqualTo(5_000_000L);
        assertThat(inbox.rowsAbout(txn)).isEqualTo(1);
    }

    @Test
    void shouldCreditOnceWhenPaddleSendsTheTransactionUnderTwoEventIds() {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String first = Paddle.id("evt");
        String second = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(first, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_20", 1, 2000))).then().statusCode(200);
        inbox.awaitStatus(first, "processed");
        Paddle.deliver(Paddle.envelope(second, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_20", 1, 2000))).then().statusCode(200);
        inbox.awaitStatus(second, "processed");

        assertThat(billing.balance(account)).isEqualTo(20_000_000L);
        assertThat(billing.calls(account)).extracting(LedgerCall::applied).containsExactly(true, false);
    }

    @Test
    void shouldCreditExactlyOnceAfterStoppingBetweenInboxCommitAndProcessing() {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        processor.pause();
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 3, 1500))).then().statusCode(200);
        sleep(1500);
        assertThat(inbox.status(eventId)).isEqualTo("received");
        assertThat(billing.calls(account)).isEmpty();

        processor.resume();
        inbox.awaitStatus(eventId, "processed");
        assertThat(billing.calls(account)).containsExactly(new LedgerCall(account, "payment", 15_000_000L, txn, true));
    }

    @Test
    void shouldConvergeWhenAWorkerDiedAfterBillingBookedButBeforeTheOutcomeWasRecorded() {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        processor.pause();
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 1, 500))).then().statusCode(200);
        billing.book(account, "payment", 5_000_000L, txn); // the dead worker's call that reached billing

        processor.resume();
        inbox.awaitStatus(eventId, "processed");
        assertThat(billing.balance(account)).isEqualTo(5_000_000L);
        assertThat(billing.calls(account)).extracting(LedgerCall::applied).containsExactly(true, false);
        assertThat(inbox.outcome(eventId)).contains("\"applied\": false");
    }

    @Test
    void shouldHoldAndAlertWhenThePriceIsNotACreditPack() {
        long account = newAccount();
        String eventId = Paddle.id("evt");
        long before = alerts("unknown_price");
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(Paddle.id("txn"), account, "pri_local_5", 1, 500, "pri_unknown", 1, 100)))
                .then().statusCode(200);

        inbox.awaitStatus(eventId, "held");
        assertThat(billing.calls(account)).isEmpty();
        assertThat(inbox.lastError(eventId)).startsWith("unknown_price");
        assertThat(alerts("unknown_price")).isEqualTo(before + 1);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("kiku_webhook_alerts_total{reason=\"unknown_price\"}"));
        given().header("Authorization", ADMIN).get("/admin/v1/webhooks/held?limit=500").then().statusCode(200)
                .body("eventId", hasItem(eventId));
    }

    @Test
    void shouldHoldAndAlertWhenBillingDoesNotKnowTheAccount() {
        long unknown = ThreadLocalRandom.current().nextLong(9_100_000_000L, 9_200_000_000L);
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        long before = alerts("unknown_account");
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, unknown, "pri_local_5", 1, 500))).then().statusCode(200);

        inbox.awaitStatus(eventId, "held");
        assertThat(inbox.lastError(eventId)).startsWith("unknown_account");
        assertThat(alerts("unknown_account")).isEqualTo(before + 1);
        // it asked billing to book exactly this credit, once, and was refused: nothing was booked
        assertThat(billing.refused(unknown))
                .containsExactly(new LedgerCall(unknown, "payment", 5_000_000L, txn, false));
        assertThat(billing.calls(unknown)).isEmpty();
    }

    @Test
    void shouldHoldPaddlesFixtureTransactionThatNamesNoAccount() {
        var dir = Paddle.fixtures();
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.isPresent(), "../shared/fixtures/paddle is absent");
        String eventId = Paddle.id("evt");
        long before = alerts("missing_account");
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.fixtureJson(dir.get(), "entities/transaction.completed.json"))).then().statusCode(200);

        inbox.awaitStatus(eventId, "held");
        assertThat(alerts("missing_account")).isEqualTo(before + 1);
    }

    @Test
    void shouldRetryWithBackoffThenDeadLetterAndCreditOnceWhenReplayed() {
        long account = newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        billing.fail(account);
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_20", 2, 4000))).then().statusCode(200);

        inbox.awaitStatus(eventId, "dead");
        assertThat(inbox.attempts(eventId)).isEqualTo(3);
        assertThat(inbox.lastError(eventId)).contains("503");
        given().get("/admin/v1/webhooks/dead").then().statusCode(401);
        given().header("Authorization", ADMIN).get("/admin/v1/webhooks/dead?limit=500").then().statusCode(200)
                .body("eventId", hasItem(eventId));

        billing.heal(account);
        given().header("Authorization", ADMIN).post("/admin/v1/webhooks/" + eventId + "/replay").then()
                .statusCode(200).body("status", equalTo("received")).body("attempts", equalTo(0));
        inbox.awaitStatus(eventId, "processed");
        assertThat(billing.calls(account)).containsExactly(new LedgerCall(account, "payment", 40_000_000L, txn, true));
        given().header("Authorization", ADMIN).post("/admin/v1/webhooks/evt_missing/replay").then().statusCode(404);
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        assertThat(List.of(1, 2, 3, 4, 40).stream().map(processor::backoff).map(Duration::toMillis).toList())
                .containsExactly(100L, 200L, 400L, 500L, 500L);
    }

    private long alerts(String reason) {
        Counter counter = registry.find("kiku.webhook.alerts").tag("reason", reason).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
