package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class FallbackTest extends ApiTestBase {

    @Test
    void shouldFailOverAtOnceWhileTheFirstProvidersCircuitIsOpen() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int flakyBefore = hits("flaky");
        int calls = 0;
        // "flaky" always answers 500: each call falls over to "steady"; at most 5 failures open its circuit
        while (!circuitOpen("flaky") && calls < 5) {
            as(key).contentType("application/json").body(chat("circuit-model", "hi")).post("/v1/chat/completions")
                    .then().statusCode(200).header("X-Kiku-Provider", "steady");
            calls++;
        }
        assertThat(circuitOpen("flaky")).isTrue();
        assertThat(hits("flaky")).isEqualTo(flakyBefore + calls);

        int flakyOpen = hits("flaky");
        as(key).contentType("application/json").body(chat("circuit-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Provider", "steady");
        assertThat(hits("flaky")).as("an open circuit is not called").isEqualTo(flakyOpen);
        long[] costs = billing.usageCosts(key.accountId());
        assertThat(costs).hasSize(calls + 1).containsOnly(5020);
        assertThat(billing.held(key.accountId())).isZero();
    }

    private static boolean circuitOpen(String provider) {
        return RestAssured.get("/q/metrics").asString().contains("api_circuit_state{provider=\"" + provider + "\"} 1.0");
    }

    @Test
    void shouldFallBackWhenTheFirstProviderTimesOut() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int sluggish = hits("sluggish");
        as(key).contentType("application/json").body(chat("timeout-model", "#slow")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Provider", "alpha");
        assertThat(hits("sluggish")).isEqualTo(sluggish + 1);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
        RestAssured.get("/q/metrics").then().body(containsString(
                "api_upstream_errors_total{provider=\"sluggish\",reason=\"timeout\"}"));
    }

    @Test
    void shouldFallBackWhenTheFirstProviderRefusesConnections() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).contentType("application/json").body(chat("down-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Provider", "alpha");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
    }

    @Test
    void shouldReleaseTheHoldWhenNoProviderCanServe() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int alpha = hits("alpha");
        int beta = hits("beta");
        as(key).contentType("application/json").body(chat("stub-model", "#fail")).post("/v1/chat/completions")
                .then().statusCode(502).contentType("application/json").body("error.type", equalTo("server_error"))
                .body("error.code", equalTo("upstream_unavailable"));
        assertThat(hits("alpha")).isEqualTo(alpha + 1);
        assertThat(hits("beta")).isEqualTo(beta + 1);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldPassTheUpstreamsRejectionOnWithoutChargeOrFallback() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int beta = hits("beta");
        as(key).contentType("application/json").body(chat("stub-model", "#bad")).post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/json")
                .body("error.upstreamStatus", equalTo(400))
                .body("error.upstreamMessage", equalTo("stub says the request is bad"))
                .body("error.message", containsString("stub says the request is bad"));
        assertThat(hits("beta")).isEqualTo(beta);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldFallBackForStreamsThatFailBeforeTheirFirstByte() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("circuit-model", "hi", false))
                .post("/v1/chat/completions").then().statusCode(200).header("X-Kiku-Provider", "steady")
                .extract().asString();
        assertThat(body).endsWith("data: [DONE]\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
    }
}
