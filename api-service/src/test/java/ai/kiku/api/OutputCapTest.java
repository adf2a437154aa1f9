package ai.kiku.api;

import ai.kiku.api.service.TokenBound;
import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * Issue 15: a request without max_tokens is capped at the output the balance can pay (sent to the provider
 * and said in {@code X-Kiku-Max-Tokens-Capped}) instead of being refused for the model's maximum; only a
 * balance short of its input and the minimum output gets 402, and concurrent calls never overdraw.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class OutputCapTest extends ApiTestBase {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** stub-model: 1,000 per request, 1 micro per input token, 2 per output token, at most 4,000 output tokens. */
    private static long inputBound(String body) throws Exception {
        return TokenBound.count((ObjectNode) MAPPER.readTree(body)).bound(TokenBound.DEFAULT_IMAGE_TOKENS, 4000);
    }

    @Test
    void shouldCapTheOutputAtWhatTheBalancePaysAndSaySo() throws Exception {
        String body = chat("stub-model", "#usage=20,50 tell me");
        long balance = 1000 + inputBound(body) + 2 * 100;
        TestKey key = billing.account(balance, 60);

        Response response = as(key).contentType("application/json").body(body).post("/v1/chat/completions");

        response.then().statusCode(200).header("X-Kiku-Max-Tokens-Capped", "100");
        String provider = response.header("X-Kiku-Provider");
        assertThat(MAPPER.readTree(lastBody(provider)).path("max_tokens").asLong()).isEqualTo(100);
        long cost = Long.parseLong(response.header("X-Kiku-Cost-Micros"));
        assertThat(cost).isEqualTo(1000 + 20 + 2 * 50).isLessThanOrEqualTo(balance);
        assertThat(billing.balance(key.accountId())).isEqualTo(balance - cost);
        assertThat(billing.held(key.accountId())).isZero();

        // once the balance pays the model's maximum, nothing is capped nor said
        billing.credit(key.accountId(), cost + 2 * 4000);
        Response uncapped = as(key).contentType("application/json").body(body).post("/v1/chat/completions");
        uncapped.then().statusCode(200).header("X-Kiku-Max-Tokens-Capped", nullValue());
        assertThat(MAPPER.readTree(lastBody(uncapped.header("X-Kiku-Provider"))).path("max_tokens").asLong()).isEqualTo(4000);
    }

    @Test
    void shouldRefuseWith402OnlyWhenTheBalanceCannotPayTheInputAndTheMinimumOutput() throws Exception {
        String body = chat("stub-model", "tell me");
        long least = 1000 + inputBound(body) + 2 * 16;
        TestKey key = billing.account(least - 1, 60);
        int before = hits("alpha") + hits("beta");

        as(key).contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(402).body("error.code", equalTo("insufficient_quota"))
                .body("error.requiredMicros", equalTo((int) least));

        assertThat(hits("alpha") + hits("beta")).isEqualTo(before);
        assertThat(billing.balance(key.accountId())).isEqualTo(least - 1);
        billing.credit(key.accountId(), 1);
        as(key).contentType("application/json").body(body).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Max-Tokens-Capped", "16");
    }

    @Test
    void shouldNeverOverdrawUnderConcurrentCappedCalls() throws Exception {
        // the stub reports 2,000 completion tokens: each call is charged all its cap allows
        String body = chat("stub-model", "concurrent capped");
        long full = 1000 + inputBound(body) + 2 * 4000;
        long balance = 3 * full + 5000;
        TestKey key = billing.account(balance, 1000);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        long charged = 0;
        int ok = 0;
        int capped = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> response = call.join();
            assertThat(response.statusCode()).isIn(200, 402);
            if (response.statusCode() == 200) {
                ok++;
                capped += response.headers().firstValue("X-Kiku-Max-Tokens-Capped").isPresent() ? 1 : 0;
                charged += Long.parseLong(response.headers().firstValue("X-Kiku-Cost-Micros").orElseThrow());
            }
        }
        assertThat(ok).isGreaterThanOrEqualTo(3);
        assertThat(capped).isPositive();
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.balance(key.accountId())).isEqualTo(balance - charged).isGreaterThanOrEqualTo(0);
    }
}
