package ai.kiku.billing;

import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.hamcrest.Matchers.equalTo;

/** What the bot's issue 16 needs of billing: refund and chargeback events, the user's /alert, usage by day and model. */
@QuarkusTest
class BotFacingApiTest extends BillingTestBase {

    @Test
    void shouldAnnounceRefundsAndChargebacksToTheBot() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/ledger";
        internal().body(Map.of("kind", "payment", "amountMicros", 5_000_000, "externalRef", "txn_r" + account))
                .post(path).then().statusCode(200);
        internal().body(Map.of("kind", "refund", "amountMicros", -1_000_000, "externalRef", "re_" + account))
                .post(path).then().statusCode(200);
        internal().body(Map.of("kind", "refund", "amountMicros", -1_000_000, "externalRef", "re_" + account))
                .post(path).then().statusCode(200).body("applied", equalTo(false));
        internal().body(Map.of("kind", "chargeback", "amountMicros", -2_000_000, "externalRef", "cb_" + account))
                .post(path).then().statusCode(200);

        assertThat(notifications(account)).filteredOn(e -> e.type() == NotifyEventType.REFUND_ISSUED
                        || e.type() == NotifyEventType.CHARGEBACK)
                .extracting(NotifyEvent::id, NotifyEvent::type, NotifyEvent::amountMicros, NotifyEvent::balanceMicros)
                .containsExactly(tuple("refund:re_" + account, NotifyEventType.REFUND_ISSUED, -1_000_000L, 4_000_000L),
                        tuple("chargeback:cb_" + account, NotifyEventType.CHARGEBACK, -2_000_000L, 2_000_000L));
        assertThat(notifications(account)).extracting(NotifyEvent::type).contains(NotifyEventType.ACCOUNT_SUSPENDED);
    }

    @Test
    void shouldLetTheBotSetItsUsersLowBalanceThresholdWithinBounds() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/low-balance-threshold";
        asBot().body(Map.of("lowBalanceThresholdMicros", 2_500_000)).put(path).then().statusCode(200)
                .body("lowBalanceThresholdMicros", equalTo(2_500_000));
        asBot().get("/internal/v1/accounts/" + account).then().body("lowBalanceThresholdMicros", equalTo(2_500_000));
        assertThat(redis("HGET", ai.kiku.common.redis.KeySchema.account(account), "threshold").toString())
                .isEqualTo("2500000");

        for (Object bad : new Object[]{-1, 10_000_000_001L}) {
            asBot().body(Map.of("lowBalanceThresholdMicros", bad)).put(path).then().statusCode(400)
                    .body("field", equalTo("lowBalanceThresholdMicros"));
        }
        asBot().body(Map.of()).put(path).then().statusCode(400).body("field", equalTo("lowBalanceThresholdMicros"));
        internal().body(Map.of("lowBalanceThresholdMicros", 0)).put(path).then().statusCode(403);
        given().contentType("application/json").body(Map.of("lowBalanceThresholdMicros", 0)).put(path)
                .then().statusCode(401);
        asBot().body(Map.of("lowBalanceThresholdMicros", 0)).put("/internal/v1/accounts/999999999/low-balance-threshold")
                .then().statusCode(404);
        asBot().get("/internal/v1/accounts/" + account).then().body("lowBalanceThresholdMicros", equalTo(2_500_000));
    }

    @Test
    void shouldReportUsageGroupedByDayAndModel() {
        long account = createAccount();
        long key = createKey(account, 1000);
        credit(account, 1_000_000);
        charge(account, key, 1000, 700);
        charge(account, key, 1000, 300);
        awaitDrained(account);
        String day = Instant.now().truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10);
        asBot().get("/internal/v1/accounts/" + account + "/usage?groupBy=day-model&from="
                        + Instant.now().minus(1, ChronoUnit.DAYS) + "&to=" + Instant.now().plus(1, ChronoUnit.HOURS))
                .then().statusCode(200).body("groupBy", equalTo("day-model"))
                .body("breakdown.size()", equalTo(1)).body("breakdown[0].group", equalTo(day + " local-echo"))
                .body("breakdown[0].requests", equalTo(2)).body("breakdown[0].costMicros", equalTo(1000));
    }
}
