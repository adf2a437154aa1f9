package ai.kiku.billing;

import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class InternalApiTest extends BillingTestBase {

    @Test
    void shouldServeTheAccountContractToOtherServices() {
        long tg = newTelegramUser();
        given().contentType("application/json").body(Map.of("telegramUserId", tg))
                .post("/internal/v1/accounts").then().statusCode(401);
        long account = asBot().body(Map.of("telegramUserId", tg, "displayName", "Ann"))
                .post("/internal/v1/accounts").then().statusCode(200)
                .body("telegramUserId", equalTo(tg)).body("displayName", equalTo("Ann"))
                .body("status", equalTo("active")).body("balanceMicros", equalTo(0))
                .body("balance", equalTo("0.000000")).body("heldMicros", equalTo(0))
                .body("lowBalanceThresholdMicros", equalTo(1_000_000)).body("defaultRateLimitPerMinute", equalTo(600))
                .body("createdAt", notNullValue()).extract().jsonPath().getLong("accountId");
        asBot().get("/internal/v1/accounts/by-telegram/" + tg).then().statusCode(200)
                .body("accountId", equalTo((int) account));
        asBot().get("/internal/v1/accounts/by-telegram/" + newTelegramUser()).then().statusCode(404);
        asBot().get("/internal/v1/accounts/" + account).then().statusCode(200).body("telegramUserId", equalTo(tg));

        long keyId = asBot().body(Map.of("name", "ci")).post("/internal/v1/accounts/" + account + "/keys")
                .then().statusCode(201).body("rateLimitPerMinute", equalTo(600)).body("lastUsedAt", nullValue())
                .extract().jsonPath().getLong("keyId");
        asBot().get("/internal/v1/accounts/" + account + "/keys").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].status", equalTo("active"));
        asBot().delete("/internal/v1/accounts/" + account + "/keys/" + keyId).then().statusCode(200)
                .body("status", equalTo("revoked"));
    }

    @Test
    void shouldBookPaymentsOnceAndAnnounceThem() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/ledger";
        Map<String, Object> payment = Map.of("kind", "payment", "amountMicros", 5_000_000, "externalRef",
                "txn_" + account, "description", "Paddle");
        internal().body(payment).post(path).then().statusCode(200).body("applied", equalTo(true))
                .body("balanceMicros", equalTo(5_000_000)).body("balance", equalTo("5.000000"));
        internal().body(payment).post(path).then().statusCode(200).body("applied", equalTo(false))
                .body("balanceMicros", equalTo(5_000_000));
        assertThat(notifications(account)).filteredOn(e -> e.type() == NotifyEventType.PAYMENT_RECEIVED)
                .extracting(NotifyEvent::id, NotifyEvent::amountMicros, NotifyEvent::balanceMicros)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pay:txn_" + account, 5_000_000L, 5_000_000L));
        internal().body(Map.of("kind", "refund", "amountMicros", 1_000_000, "externalRef", "r1")).post(path)
                .then().statusCode(400).body("field", equalTo("amountMicros"));
        internal().body(Map.of("kind", "gift", "amountMicros", 1, "externalRef", "g1")).post(path)
                .then().statusCode(400).body("field", equalTo("kind"));
        internal().body(payment).post("/internal/v1/accounts/999999999/ledger").then().statusCode(404);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isEqualTo(1);
        asBot().get(path).then().statusCode(200).body("entries.size()", equalTo(1))
                .body("entries[0].kind", equalTo("payment")).body("entries[0].amount", equalTo("5.000000"))
                .body("entries[0].externalRef", equalTo("txn_" + account));
    }

    @Test
    void shouldSuspendTheAccountOnAChargeback() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/ledger";
        internal().body(Map.of("kind", "payment", "amountMicros", 2_000_000, "externalRef", "txn_cb" + account))
                .post(path).then().statusCode(200);
        internal().body(Map.of("kind", "chargeback", "amountMicros", -2_000_000, "externalRef", "cb_" + account))
                .post(path).then().statusCode(200).body("applied", equalTo(true)).body("balanceMicros", equalTo(0));
        internal().get("/internal/v1/accounts/" + account).then().body("status", equalTo("suspended"));
        assertThat(redis("HGET", KeySchema.account(account), "status").toString()).isEqualTo("suspended");
        assertThat(notifications(account)).extracting(NotifyEvent::type).contains(NotifyEventType.ACCOUNT_SUSPENDED);
    }

    @Test
    void shouldReportUsageGroupedByDay() {
        long account = createAccount();
        long key = createKey(account, 1000);
        credit(account, 1_000_000);
        for (int i = 0; i < 3; i++) {
            charge(account, key, 1000, 1000);
        }
        awaitDrained(account);
        String day = Instant.now().truncatedTo(ChronoUnit.DAYS).toString().substring(0, 10);
        asApi().get("/internal/v1/accounts/" + account + "/usage?groupBy=day&from="
                        + Instant.now().minus(1, ChronoUnit.DAYS) + "&to=" + Instant.now().plus(1, ChronoUnit.HOURS))
                .then().statusCode(200).body("groupBy", equalTo("day"))
                .body("totals.requests", equalTo(3)).body("totals.inputTokens", equalTo(30))
                .body("totals.outputTokens", equalTo(12)).body("totals.costMicros", equalTo(3000))
                .body("totals.cost", equalTo("0.003000")).body("breakdown.group", hasItem(day));
        asBot().get("/internal/v1/accounts/" + account + "/usage?groupBy=week").then().statusCode(400)
                .body("field", equalTo("groupBy"));
    }

    @Test
    void shouldServeAndPublishTheCatalogue() {
        asApi().get("/internal/v1/catalogue").then().statusCode(200)
                .body("products[0].productId", equalTo("llm-proxy"))
                .body("products[0].pricePerRequestMicros", equalTo(1000))
                .body("models.model", hasItem("local-echo"))
                .body("creditPacks.find { it.paddlePriceId == 'pri_local_5' }.creditsMicros", equalTo(5_000_000));
        admin().get("/admin/v1/catalogue").then().statusCode(200).body("creditPacks.size()", equalTo(3));
        assertThat(redis("GET", "kiku:catalogue").toString()).contains("\"pricePerRequestMicros\":1000")
                .contains("pri_local_5");
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'usage-consumer' }.status", equalTo("UP"));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/admin/v1/accounts/{id}/adjustments'.post", notNullValue())
                .body("paths.'/internal/v1/accounts/{id}/ledger'.post", notNullValue());
    }
}
