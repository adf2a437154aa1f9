package ai.kiku.webhook.service;

import ai.kiku.webhook.support.BillingStub;
import ai.kiku.webhook.support.BillingStub.LedgerCall;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** Refunds, chargebacks and their reversal move exactly the credits the adjusted items granted. */
@QuarkusTest
class RefundFlowTest {

    @Inject
    InboxProbe inbox;

    @Inject
    EventProcessor processor;

    final BillingStub billing = BillingStub.shared();

    /** Credits a transaction of (priceId, quantity, lineTotalMinor) lines and waits until it is booked. */
    private String paid(String txn, long account, Object... lines) {
        String eventId = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed", Paddle.transaction(txn, account, lines)))
                .then().statusCode(200);
        inbox.awaitStatus(eventId, "processed");
        return eventId;
    }

    private String adjust(String type, ObjectNode data, String expectedStatus) {
        String eventId = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(eventId, type, data)).then().statusCode(200);
        inbox.awaitStatus(eventId, expectedStatus);
        return eventId;
    }

    @Test
    void shouldDebitAllCreditsOfAFullyRefundedLine() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_5", 2, 1000, "pri_local_20", 1, 2000);
        String adj = Paddle.id("adj");
        adjust("adjustment.created", Paddle.adjustment(adj, txn, "refund", "approved",
                Paddle.itemId(txn, 1), "full", 2000), "processed");

        assertThat(billing.calls(account)).last().isEqualTo(new LedgerCall(account, "refund", -20_000_000L, adj, true));
        assertThat(billing.balance(account)).isEqualTo(10_000_000L);
    }

    @Test
    void shouldDebitInProportionToTheRefundedAmountRoundingDown() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_20", 1, 2179);
        String adj = Paddle.id("adj");
        adjust("adjustment.created", Paddle.adjustment(adj, txn, "refund", "approved",
                Paddle.itemId(txn, 0), "partial", 333), "processed");

        // floor(20,000,000 x 333 / 2179) = 3,056,447.9... -> 3,056,447
        assertThat(billing.calls(account)).last().isEqualTo(new LedgerCall(account, "refund", -3_056_447L, adj, true));
        assertThat(billing.balance(account)).isEqualTo(16_943_553L);
    }

    @Test
    void shouldChangeNothingWhilePendingThenDebitOnceWhenApproved() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_20", 1, 2000);
        String adj = Paddle.id("adj");
        adjust("adjustment.created", Paddle.adjustment(adj, txn, "refund", "pending_approval",
                Paddle.itemId(txn, 0), "full", 2000), "ignored");
        assertThat(billing.calls(account)).hasSize(1);

        adjust("adjustment.updated", Paddle.adjustment(adj, txn, "refund", "approved",
                Paddle.itemId(txn, 0), "full", 2000), "processed");
        adjust("adjustment.updated", Paddle.adjustment(adj, txn, "refund", "approved",
                Paddle.itemId(txn, 0), "full", 2000), "processed");

        assertThat(billing.balance(account)).isZero();
        assertThat(billing.calls(account)).extracting(LedgerCall::amountMicros, LedgerCall::applied)
                .containsExactly(tuple(20_000_000L, true),
                        tuple(-20_000_000L, true),
                        tuple(-20_000_000L, false));
    }

    @Test
    void shouldIgnoreRejectedAdjustmentsAndActionsThatMoveNoCredits() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_5", 1, 500);
        adjust("adjustment.updated", Paddle.adjustment(Paddle.id("adj"), txn, "refund", "rejected",
                Paddle.itemId(txn, 0), "full", 500), "ignored");
        adjust("adjustment.created", Paddle.adjustment(Paddle.id("adj"), txn, "credit", "approved",
                Paddle.itemId(txn, 0), "full", 500), "ignored");
        assertThat(billing.balance(account)).isEqualTo(5_000_000L);
        assertThat(billing.calls(account)).hasSize(1);
    }

    @Test
    void shouldDebitAndSuspendOnChargebackThenCreditBackOnReverse() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_5", 1, 500, "pri_local_20", 1, 2000);
        String chargeback = Paddle.id("adj");
        adjust("adjustment.created", Paddle.adjustment(chargeback, txn, "chargeback", "approved",
                Paddle.itemId(txn, 0), "full", 500, Paddle.itemId(txn, 1), "full", 2000), "processed");
        assertThat(billing.balance(account)).isZero();
        assertThat(billing.status(account)).isEqualTo("suspended");

        String reverse = Paddle.id("adj");
        adjust("adjustment.created", Paddle.adjustment(reverse, txn, "chargeback_reverse", "approved",
                Paddle.itemId(txn, 0), "full", 500, Paddle.itemId(txn, 1), "full", 2000), "processed");
        assertThat(billing.balance(account)).isEqualTo(25_000_000L);
        assertThat(billing.calls(account)).extracting(LedgerCall::kind, LedgerCall::amountMicros, LedgerCall::externalRef)
                .containsExactly(tuple("payment", 25_000_000L, txn),
                        tuple("chargeback", -25_000_000L, chargeback),
                        tuple("chargeback_reverse", 25_000_000L, reverse));
    }

    @Test
    void shouldApplyARefundThatArrivedBeforeItsTransaction() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        String adj = Paddle.id("adj");
        String adjEvent = Paddle.id("evt");
        String txnEvent = Paddle.id("evt");
        processor.pause();
        try {
            Paddle.deliver(Paddle.envelope(adjEvent, "adjustment.created", Paddle.adjustment(adj, txn, "refund",
                    "approved", Paddle.itemId(txn, 0), "full", 500))).then().statusCode(200);
            Paddle.deliver(Paddle.envelope(txnEvent, "transaction.completed",
                    Paddle.transaction(txn, account, "pri_local_5", 1, 500))).then().statusCode(200);
        } finally {
            processor.resume();
        }

        inbox.awaitStatus(txnEvent, "processed");
        inbox.awaitStatus(adjEvent, "processed");
        assertThat(billing.balance(account)).isZero();
        assertThat(billing.calls(account)).extracting(LedgerCall::amountMicros).containsExactly(5_000_000L, -5_000_000L);
    }

    /**
     * Paddle retries a delivery for 3 days, so a refund may wait that long for its payment. The test profile's
     * retry budget (3 attempts, 100 ms doubling to 500 ms) is spent in about a second: a refund waiting for its
     * transaction must outlive it by far, and still book once the transaction comes.
     */
    @Test
    void shouldKeepARefundWaitingForItsTransactionBeyondTheRetryBudget() throws InterruptedException {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        String adj = Paddle.id("adj");
        String adjEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(adjEvent, "adjustment.created", Paddle.adjustment(adj, txn, "refund",
                "approved", Paddle.itemId(txn, 0), "full", 500))).then().statusCode(200);
        long until = System.nanoTime() + java.time.Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            assertThat(inbox.status(adjEvent)).as("a refund waiting for its transaction").isEqualTo("received");
            Thread.sleep(100);
        }
        assertThat(inbox.lastError(adjEvent)).contains(txn);
        assertThat(inbox.attempts(adjEvent)).as("waiting spends no attempts of the retry budget").isZero();

        String txnEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(txnEvent, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 1, 500))).then().statusCode(200);
        inbox.awaitStatus(txnEvent, "processed");
        inbox.awaitStatus(adjEvent, "processed");
        assertThat(billing.calls(account)).extracting(LedgerCall::amountMicros, LedgerCall::externalRef)
                .containsExactly(tuple(5_000_000L, txn), tuple(-5_000_000L, adj));
    }

    @Test
    void shouldBookAWaitingRefundAsSoonAsItsTransactionIsCredited() throws InterruptedException {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        String adj = Paddle.id("adj");
        String adjEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(adjEvent, "adjustment.created", Paddle.adjustment(adj, txn, "refund",
                "approved", Paddle.itemId(txn, 0), "full", 500))).then().statusCode(200);
        InboxProbe.await("the refund to wait", java.time.Duration.ofSeconds(15),
                () -> String.valueOf(inbox.lastError(adjEvent)).contains(txn));
        processor.pause();
        try {
            Thread.sleep(1500); // a look already under way finishes
            inbox.nextAttemptIn(adjEvent, java.time.Duration.ofHours(1)); // as after a long wait
        } finally {
            processor.resume();
        }

        String txnEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(txnEvent, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 1, 500))).then().statusCode(200);
        inbox.awaitStatus(adjEvent, "processed");
        assertThat(billing.balance(account)).isZero();
    }

    @Test
    void shouldDeadLetterARefundWhoseTransactionDidNotComeWithinTheWait() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        String adjEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(adjEvent, "adjustment.created", Paddle.adjustment(Paddle.id("adj"), txn,
                "refund", "approved", Paddle.itemId(txn, 0), "full", 500))).then().statusCode(200);
        inbox.receivedAgo(adjEvent, java.time.Duration.ofDays(5)); // beyond kiku.webhook.await-transaction (4d)
        inbox.awaitStatus(adjEvent, "dead");
        assertThat(inbox.lastError(adjEvent)).contains(txn);
        assertThat(billing.calls(account)).isEmpty();
    }

    @Test
    void shouldHoldARefundOfAnItemTheTransactionDidNotCredit() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        paid(txn, account, "pri_local_5", 1, 500);
        String eventId = adjust("adjustment.created", Paddle.adjustment(Paddle.id("adj"), txn, "refund", "approved",
                "txnitm_not_in_this_transaction", "full", 500), "held");
        assertThat(inbox.lastError(eventId)).startsWith("unknown_item");
        assertThat(billing.balance(account)).isEqualTo(5_000_000L);
    }

    /** Paddle's own entities: the fixture transaction (for our account) and its adjustment, pointed at it. */
    @Test
    void shouldRefundPaddlesFixtureAdjustmentAgainstTheFixtureTransaction() {
        Path dir = Paddle.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/fixtures/paddle is absent: skipping Paddle's own entities");
        long account = CreditFlowTest.newAccount();
        ObjectNode transaction = (ObjectNode) Paddle.fixtureJson(dir, "entities/transaction.completed.json");
        String txn = Paddle.id("txn");
        transaction.put("id", txn);
        transaction.putObject("custom_data").put("kiku_account_id", Long.toString(account));
        String txnEvent = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(txnEvent, "transaction.completed", transaction)).then().statusCode(200);
        inbox.awaitStatus(txnEvent, "processed");
        // 10 x 3.00 + 1 x 10.00 + 1 x 19.90 (the stub catalogue's credits for the fixture's price ids)
        assertThat(billing.balance(account)).isEqualTo(59_900_000L);

        String firstItem = "txnitm_01hv8wt98jahpbm1t1tzr06z6n"; // line total 32662 minor units, 30.00 in credits
        String adj = Paddle.id("adj");
        ObjectNode created = (ObjectNode) Paddle.fixtureJson(dir, "entities/adjustment.created.json");
        created.put("id", adj).put("transaction_id", txn);
        ((ObjectNode) created.get("items").get(0)).put("item_id", firstItem);
        adjust("adjustment.created", created, "ignored"); // status pending_approval in the fixture
        assertThat(billing.balance(account)).isEqualTo(59_900_000L);

        ObjectNode updated = (ObjectNode) Paddle.fixtureJson(dir, "entities/adjustment.updated.json");
        updated.put("id", adj).put("transaction_id", txn).put("status", "approved");
        ((ObjectNode) updated.get("items").get(0)).put("item_id", firstItem);
        adjust("adjustment.updated", updated, "processed");

        // partial refund of 100 of 32662: floor(30,000,000 x 100 / 32662) = 91,849
        assertThat(billing.calls(account)).last().isEqualTo(new LedgerCall(account, "refund", -91_849L, adj, true));
        assertThat(billing.balance(account)).isEqualTo(59_808_151L);
    }
}
