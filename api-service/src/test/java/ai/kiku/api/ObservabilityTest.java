package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.testing.PrometheusText;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class ObservabilityTest extends ApiTestBase {

    @Test
    void shouldExposeRequestCountsLatencyHistogramsAndChargedMicros() throws InterruptedException {
        TestKey key = billing.account(1_000_000, 60);
        long chargedBefore = counter("api_charged_micros_total");
        as(key).get("/api/v1/balance").then().statusCode(200);
        long cost = 0;
        for (String model : new String[]{"local-echo", "stub-model"}) {
            cost += Long.parseLong(as(key).contentType("application/json").body(chat(model, "hi"))
                    .post("/v1/chat/completions").then().statusCode(200).extract().header("X-Kiku-Cost-Micros"));
        }
        assertThat(cost).isPositive();
        // the OpenAI-shaped answer leaves behind its settle, whose reply (and the counter) may come a moment later
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (counter("api_charged_micros_total") - chargedBefore < cost && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(counter("api_charged_micros_total") - chargedBefore).isEqualTo(cost);
        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("api_requests_total{endpoint=\"balance\",status=\"200\"}"))
                .body(containsString("api_requests_total{endpoint=\"chat_completions\",status=\"200\"}"))
                .body(containsString("api_request_duration_seconds_bucket{endpoint=\"chat_completions\",le=\"0.005\"}"))
                .body(containsString("api_upstream_duration_seconds_bucket{outcome=\"ok\",provider=\"alpha\""))
                .body(containsString("api_circuit_state{provider=\"alpha\"}"));
    }

    /** A counter of whole micro-dollars, exact (a fractional or rounded value fails the test). */
    private static long counter(String name) {
        return PrometheusText.value(RestAssured.get("/q/metrics").then().statusCode(200).extract().asString(), name)
                .longValueExact();
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
