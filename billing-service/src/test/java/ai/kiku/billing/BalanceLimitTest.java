package ai.kiku.billing;

import ai.kiku.common.money.Micros;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Balances are bounded where Lua's doubles are exact; the ledger refuses a fact beyond the bound
 * before writing it, so PostgreSQL and Redis never disagree about it.
 */
@QuarkusTest
class BalanceLimitTest extends BillingTestBase {

    @Test
    void shouldRefuseAnAdjustmentBeyondTheBalanceLimitWith422AndWriteNothing() {
        long account = createAccount();
        for (int i = 0; i < 4; i++) {
            credit(account, Micros.MAX_AMOUNT);
        }

        admin().body(Map.of("amountMicros", 1, "reason", "one too many", "idempotencyKey", UUID.randomUUID().toString()))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(422)
                .contentType("application/problem+json").body("limitMicros", equalTo(Micros.MAX_BALANCE));

        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(Micros.MAX_BALANCE);
        assertThat(redisBalance(account)).isEqualTo(Micros.MAX_BALANCE);
    }
}
