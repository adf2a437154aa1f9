package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class ObservabilityTest extends ApiTestBase {

    @Test
    void shouldExposeRequestCountsLatencyHistogramsAndChargedMicros() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).get("/api/v1/balance").then().statusCode(200);
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        as(key).contentType("application/json").body(chat("stub-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("api_requests_total{endpoint=\"balance\",status=\"200\"}"))
                .body(containsString("api_requests_total{endpoint=\"chat_completions\",status=\"200\"}"))
                .body(containsString("api_request_duration_seconds_bucket{endpoint=\"chat_completions\",le=\"0.005\"}"))
                .body(containsString("api_upstream_duration_seconds_bucket{outcome=\"ok\",provider=\"alpha\""))
                .body(containsString("api_circuit_state{provider=\"alpha\"}"))
                .body(containsString("api_charged_micros_total"));
    }

    @Test
    void shouldDescribeThePublicApiInOpenApi() {
        RestAssured.get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/chat/completions")).body(containsString("/api/v1/balance"));
    }

    @Test
    void shouldFallBackToBillingsCatalogueWhenRedisHasNone() {
        TestKey key = billing.account(0, 60);
        redis.send(Request.cmd(Command.DEL).arg("kiku:catalogue")).await().indefinitely();
        catalogue.invalidate();
        as(key).get("/api/v1/products").then().statusCode(200)
                .body("products[0].name", equalTo("LLM proxy (from billing)"));
    }
}
