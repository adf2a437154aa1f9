package ai.kiku.webhook.service;

import ai.kiku.devstack.Postgres;
import ai.kiku.webhook.support.BillingStub;
import ai.kiku.webhook.support.BillingStub.LedgerCall;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.startsWith;

/** PostgreSQL down: Paddle gets a 5xx (and retries), nothing is half-written; back up, the retry credits once. */
@QuarkusTest
class DatabaseDownTest {

    @Inject
    InboxProbe inbox;

    @Test
    void shouldAnswer503WhilePostgresIsDownThenCreditOnceOnTheRetriedDelivery() {
        long account = CreditFlowTest.newAccount();
        String txn = Paddle.id("txn");
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(txn, account, "pri_local_5", 2, 1000)));
        Postgres postgres = Postgres.shared();
        postgres.stop();
        try {
            Paddle.deliver(body, Paddle.sign(body)).then().statusCode(503)
                    .contentType(startsWith("application/problem+json")).header("Retry-After", "1");
            Paddle.deliver(body, Paddle.sign(body)).then().statusCode(503);
        } finally {
            postgres.start();
        }
        assertThat(inbox.status(eventId)).isNull();
        assertThat(BillingStub.shared().calls(account)).isEmpty();

        Paddle.deliver(body, Paddle.sign(body)).then().statusCode(200);
        inbox.awaitStatus(eventId, "processed");
        assertThat(BillingStub.shared().calls(account))
                .containsExactly(new LedgerCall(account, "payment", 10_000_000L, txn, true));
    }
}
