package ai.kiku.billing;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** What an upstream billed beyond a reservation is charged, recorded and shown by reconciliation. */
@QuarkusTest
class OverageReportTest extends BillingTestBase {

    @Test
    void shouldRecordAndReportTheOverageOfASettleAboveItsHold() {
        long account = createAccount();
        long key = createKey(account, 600);
        credit(account, 10_000);
        charge(account, key, 1_000, 3_500);
        awaitDrained(account);

        assertThat(sqlLong("SELECT overage_micros FROM usage_records WHERE account_id = $1", account)).isEqualTo(2_500);
        assertThat(redisBalance(account)).isEqualTo(6_500);
        admin().get("/admin/v1/reconciliation?accountId=" + account).then().statusCode(200)
                .body("accountsWithDrift", equalTo(0))
                .body("accounts.find { it.accountId == " + account + " }.overageMicros", equalTo(2_500));
    }
}
