package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class AccountEndpointsTest extends ApiTestBase {

    @Test
    void shouldAnswerTheSame401ForMissingMalformedUnknownAndRevokedKeys() {
        TestKey revoked = billing.account(1_000_000, 60);
        billing.revoke(revoked);
        List<String> bodies = new ArrayList<>();
        for (String header : new String[]{null, "Basic abc", "Bearer kiku_live_short", "Bearer kiku_live_" + "x".repeat(43),
                revoked.bearer()}) {
            var request = RestAssured.given();
            if (header != null) {
                request.header("Authorization", header);
            }
            Response response = request.get("/api/v1/balance");
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.contentType()).isEqualTo("application/problem+json");
            assertThat(response.header("X-Request-Id")).startsWith("req_");
            bodies.add(response.asString());
        }
        assertThat(bodies).allMatch(b -> b.equals(bodies.get(0)));
        assertThat(bodies.get(0)).contains("\"status\":401");
    }

    @Test
    void shouldReportTheRealTimeBalanceWithOpenHolds() {
        TestKey key = billing.account(5_000_000, 60);
        money.reserve(key.accountId(), key.keyId(), "req_test_hold_" + key.accountId(), 1_250).await().indefinitely();

        as(key).get("/api/v1/balance").then().statusCode(200)
                .header("Cache-Control", "no-store")
                .body("accountId", equalTo((int) key.accountId()))
                .body("status", equalTo("active"))
                .body("balanceMicros", equalTo(5_000_000))
                .body("balance", equalTo("5.000000"))
                .body("heldMicros", equalTo(1_250))
                .body("availableMicros", equalTo(4_998_750))
                .body("available", equalTo("4.998750"))
                .body("lowBalanceThresholdMicros", equalTo(0));
    }

    @Test
    void shouldServeTheProductCatalogueBillingPublished() {
        TestKey key = billing.account(0, 60);
        as(key).get("/api/v1/products").then().statusCode(200)
                .body("products[0].productId", equalTo("llm-proxy"))
                .body("products[0].pricePerRequestMicros", equalTo(1000))
                .body("creditPacks[0].creditsMicros", equalTo(5_000_000))
                .body("models.model", hasItems("local-echo", "stub-model"));
    }

    @Test
    void shouldListOnlyModelsThatArePricedAndServed() {
        TestKey key = billing.account(0, 60);
        as(key).get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItems("local-echo", "stub-model", "circuit-model"))
                .body("data.id", not(hasItem("unserved-model")));
    }

    @Test
    void shouldServeUsageFromBillingAndCacheIt() throws Exception {
        TestKey key = billing.account(0, 60);
        int before = hits("billing");
        String first = as(key).queryParam("from", "2026-11-01").queryParam("to", "2026-11-27T10:00:00Z")
                .queryParam("groupBy", "model").get("/api/v1/usage").then().statusCode(200)
                .body("accountId", equalTo((int) key.accountId()))
                .body("from", equalTo("2026-11-01T00:00:00Z"))
                .body("groupBy", equalTo("model"))
                .body("totals.costMicros", equalTo(3000)).extract().asString();
        String second = as(key).queryParam("from", "2026-11-01").queryParam("to", "2026-11-27T10:00:00Z")
                .queryParam("groupBy", "model").get("/api/v1/usage").then().statusCode(200).extract().asString();
        assertThat(second).isEqualTo(first);
        assertThat(hits("billing")).isEqualTo(before + 1);
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileBillingCannotServeUsage() {
        TestKey key = billing.account(0, 60);
        as(key).queryParam("from", "2025-05-03").queryParam("to", "2025-05-04").get("/api/v1/usage").then()
                .statusCode(503).contentType(startsWith("application/problem+json")).header("Retry-After", "1");
    }

    @Test
    void shouldCarryTheCallersTraceIdToBilling() throws Exception {
        TestKey key = billing.account(0, 60);
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        as(key).header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .queryParam("from", "2026-10-01").queryParam("to", "2026-10-02").get("/api/v1/usage").then().statusCode(200);
        // one trace across the services: billing's logs carry the same id as the gateway's
        assertThat(billingTraceparent()).startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7");
    }

    @Test
    void shouldRefuseInvalidUsageQueriesNamingTheParameter() {
        TestKey key = billing.account(0, 60);
        as(key).queryParam("groupBy", "week").get("/api/v1/usage").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("groupBy"));
        as(key).queryParam("from", "yesterday").get("/api/v1/usage").then().statusCode(400).body("field", equalTo("from"));
        as(key).queryParam("from", "2026-11-27").queryParam("to", "2026-11-01").get("/api/v1/usage").then()
                .statusCode(400).body("field", equalTo("from"));
        as(key).queryParam("from", "2020-01-01").queryParam("to", "2026-01-01").get("/api/v1/usage").then()
                .statusCode(400).body("field", equalTo("from"));
        RestAssured.given().queryParam("groupBy", "week").get("/api/v1/usage").then().statusCode(401);
    }

    @Test
    void shouldAnswerTheTrivialEndpointWithoutAKeyAndUnknownPathsWithProblem404() {
        RestAssured.get("/api/v1/ping").then().statusCode(200).body("status", equalTo("ok"));
        RestAssured.get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }
}
