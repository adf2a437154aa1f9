package ai.kiku.webhook.rest;

import ai.kiku.testing.RawHttp;
import ai.kiku.webhook.client.PaddleClient;
import ai.kiku.webhook.support.BillingStub;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Inputs a fuzzer found to get a 5xx or a dropped connection, and the shared bearer rule, on webhook-service. */
@QuarkusTest
class BadInputTest {

    private static final String ADMIN = "test-admin-token";
    /** bot-service's token: the only caller of /internal/v1/checkouts. */
    private static final String INTERNAL = "test-bot-token";
    private static final String BIG = "a".repeat(20_000);

    private static String checkout(long account) {
        return "{\"accountId\":" + account + ",\"paddlePriceId\":\"pri_local_5\"}";
    }

    @Test
    void shouldAnswerALargeFormLikeASmallOne() {
        for (String value : new String[]{"x", BIG}) {
            for (String path : new String[]{"/internal/v1/checkouts", "/webhooks/paddle", "/paddle-sim/checkout/txn_none/pay",
                    "/paddle-sim/transactions", "/admin/v1/webhooks/evt_none/replay"}) {
                int small = given().auth().oauth2(INTERNAL).contentType("application/x-www-form-urlencoded")
                        .body("accountId=x").post(path).statusCode();
                given().auth().oauth2(INTERNAL).contentType("application/x-www-form-urlencoded").body("accountId=" + value)
                        .post(path).then().statusCode(small).contentType(startsWith("application/problem+json"));
                given().auth().oauth2(INTERNAL).multiPart("accountId", value)
                        .post(path).then().statusCode(small).contentType(startsWith("application/problem+json"));
                assertThat(small).as(path).isBetween(400, 499);
            }
        }
    }

    @Test
    void shouldRefuseARepeatedFieldOrTrailingGarbageInACheckout() {
        long account = ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000_000L);
        BillingStub.shared().createAccount(account);
        given().header("Authorization", "Bearer " + INTERNAL).contentType(ContentType.JSON)
                .body("{\"accountId\":" + account + ",\"paddlePriceId\":\"pri_local_5\",\"accountId\":1}")
                .post("/internal/v1/checkouts").then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("field", equalTo("accountId"));
        for (String tail : new String[]{" x", "}", " {}"}) {
            given().header("Authorization", "Bearer " + INTERNAL).contentType(ContentType.JSON)
                    .body(checkout(account) + tail).post("/internal/v1/checkouts").then().statusCode(400)
                    .contentType(startsWith("application/problem+json")).body("field", equalTo("body"));
        }
    }

    @Test
    void shouldRefuseASimulatorTransactionWithANullItemOrCustomValueWithoutA500() {
        for (String body : new String[]{"{\"items\":[null]}",
                "{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}],\"custom_data\":{\"kiku_account_id\":null}}"}) {
            given().header("Authorization", "Bearer " + PaddleClient.SIMULATOR_KEY).contentType(ContentType.JSON).body(body)
                    .post("/paddle-sim/transactions").then().statusCode(400);
        }
    }

    @Test
    void shouldAnswer431ToHeadersTooLargeForTheServer() throws Exception {
        RawHttp.assertHeadersTooLargeGet431(RestAssured.port, "/q/health/live");
    }

    @Test
    void shouldReadBearerTokensByTheSharedRule() {
        long account = ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000_000L);
        BillingStub.shared().createAccount(account);
        for (String scheme : new String[]{"Bearer ", "bearer ", "BEARER ", "Bearer  "}) {
            given().header("Authorization", scheme + ADMIN).get("/admin/v1/webhooks/dead").then().statusCode(200);
            given().header("Authorization", scheme + INTERNAL).contentType(ContentType.JSON).body(checkout(account))
                    .post("/internal/v1/checkouts").then().statusCode(201);
            Response simulator = given().header("Authorization", scheme + PaddleClient.SIMULATOR_KEY)
                    .contentType(ContentType.JSON).body("{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}]}")
                    .post("/paddle-sim/transactions");
            assertThat(simulator.statusCode()).as(scheme + " simulator: " + simulator.asString()).isNotEqualTo(403);
        }
        for (String refused : new String[]{"Bearer\t", "Bearer \t", "Basic "}) {
            given().header("Authorization", refused + ADMIN).get("/admin/v1/webhooks/dead").then().statusCode(401)
                    .contentType(startsWith("application/problem+json"));
            given().header("Authorization", refused + INTERNAL).contentType(ContentType.JSON).body(checkout(account))
                    .post("/internal/v1/checkouts").then().statusCode(401);
            given().header("Authorization", refused + PaddleClient.SIMULATOR_KEY).contentType(ContentType.JSON)
                    .body("{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}]}")
                    .post("/paddle-sim/transactions").then().statusCode(403);
        }
    }
}
