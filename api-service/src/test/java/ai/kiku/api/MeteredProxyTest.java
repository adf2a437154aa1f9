package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class MeteredProxyTest extends ApiTestBase {

    private static final Pattern BALANCE = Pattern.compile("\"balanceMicros\":(\\d+)");

    @Test
    void shouldEchoLocallyChargeThePerRequestPriceAndRecordTheUsage() {
        TestKey key = billing.account(5_000_000, 60);
        Response response = as(key).contentType("application/json").body(chat("local-echo", "hello kiku"))
                .post("/v1/chat/completions");
        response.then().statusCode(200)
                .body("object", equalTo("chat.completion"))
                .body("choices[0].message.content", equalTo("hello kiku"))
                .body("usage.completion_tokens", equalTo(4))
                .header("X-Kiku-Cost-Micros", "1000")
                .header("X-Kiku-Balance-Micros", nullValue())
                .header("X-RateLimit-Limit", "60")
                .header("X-RateLimit-Remaining", "59");
        String requestId = response.header("X-Request-Id");
        assertThat(billing.balance(key.accountId())).isEqualTo(4_999_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageField(key.accountId(), requestId, "cost")).isEqualTo("1000");
        assertThat(billing.usageField(key.accountId(), requestId, "model")).isEqualTo("local-echo");
        assertThat(billing.usageField(key.accountId(), requestId, "key")).isEqualTo(Long.toString(key.keyId()));
    }

    @Test
    void shouldShowEveryChargeInTheBalanceReadOnAnotherConnectionRightAfterTheAnswer() throws Exception {
        // Three clients of their own, so a call and the balance read after it arrive on different
        // connections (different event loops and Redis connections): only an answer that is written
        // after its charge can reach Redis passes this every time.
        TestKey key = billing.account(10_000_000, 100_000);
        HttpClient[] clients = new HttpClient[3];
        for (int c = 0; c < clients.length; c++) {
            clients[c] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        }
        String base = RestAssured.baseURI + ":" + RestAssured.port;
        List<Integer> stale = new ArrayList<>();
        long expected = 10_000_000;
        for (int i = 0; i < 300; i++) {
            HttpResponse<String> call = clients[i % 3].send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(chat("local-echo", "call " + i))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(call.statusCode()).isEqualTo(200);
            expected -= 1000;
            HttpResponse<String> balance = clients[(i + 1) % 3].send(HttpRequest.newBuilder(
                    URI.create(base + "/api/v1/balance")).header("Authorization", key.bearer()).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher seen = BALANCE.matcher(balance.body());
            assertThat(seen.find()).isTrue();
            if (Long.parseLong(seen.group(1)) != expected) {
                stale.add(i);
            }
        }
        assertThat(stale).as("calls whose charge the next balance read did not show").isEmpty();
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(300);
    }

    @Test
    void shouldAnswerOwnShapeWithCostAndBalanceLeft() {
        TestKey key = billing.account(2_000_000, 60);
        as(key).contentType("application/json")
                .body("{\"provider\":\"local\",\"model\":\"local-echo\",\"max_tokens\":16,\"stream\":false,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}")
                .post("/api/v1/proxy/llm").then().statusCode(200)
                .body("choices[0].message.content", equalTo("ping"))
                .body("provider", equalTo("local"))
                .body("costMicros", equalTo(1000))
                .body("cost", equalTo("0.001000"))
                .body("balanceMicros", equalTo(1_999_000))
                .body("balance", equalTo("1.999000"))
                .header("X-Kiku-Balance-Micros", "1999000");
    }

    @Test
    void shouldChargeTheUpstreamsReportedUsageAtCataloguePrices() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).contentType("application/json").body(chat("stub-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Provider", "alpha").header("X-Kiku-Cost-Micros", "5020");
        // 1,000 per request + 20 prompt tokens at 1 USD/M + 2,000 completion tokens at 2 USD/M
        assertThat(billing.balance(key.accountId())).isEqualTo(994_980);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
    }

    @Test
    void shouldChargeReportedOutputOnlyUpToMaxTokens() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).contentType("application/json")
                .body("{\"model\":\"stub-model\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"capped\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).header("X-Kiku-Cost-Micros", "1040");
        // the stub reports 2,000 completion tokens where max_tokens allows 10: 1,000 + 20 prompt tokens at
        // 1 USD/M + 10 (not 2,000) completion tokens at 2 USD/M
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - 1040);
    }

    @Test
    void shouldRefuseWith402WhenTheBalanceCannotCoverTheWorstCase() {
        TestKey key = billing.account(500, 60);
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(402).contentType("application/json")
                .body("error.code", equalTo("insufficient_quota"))
                .body("error.requiredMicros", equalTo(1000))
                .body("error.availableMicros", equalTo(500))
                .header("X-RateLimit-Limit", "60");
        assertThat(billing.balance(key.accountId())).isEqualTo(500);
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldRefuseWith429AndRetryAfterOnceTheKeysLimitIsUsed() {
        TestKey key = billing.account(1_000_000, 2);
        for (int i = 0; i < 2; i++) {
            as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                    .then().statusCode(200);
        }
        Response limited = as(key).contentType("application/json").body(chat("local-echo", "hi"))
                .post("/v1/chat/completions");
        limited.then().statusCode(429).contentType("application/json").body("error.code", equalTo("rate_limit_exceeded"))
                .header("X-RateLimit-Remaining", "0").header("X-RateLimit-Limit", "2");
        int retryAfter = Integer.parseInt(limited.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 60);
        assertThat(billing.balance(key.accountId())).isEqualTo(998_000);
    }

    @Test
    void shouldRefuseARevokedKeyAtOnceEvenWhileThisProcessStillRemembersIt() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).get("/api/v1/balance").then().statusCode(200);
        billing.revoke(key);
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(401);
        as(key).get("/api/v1/balance").then().statusCode(401);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    @Test
    void shouldRefuseSuspendedAccountsWith403() {
        TestKey key = billing.account(1_000_000, 60);
        billing.suspend(key.accountId());
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(403).contentType("application/json").body("error.code", equalTo("account_inactive"));
    }

    @Test
    void shouldAnswerBadInputWith4xxNamingTheProblemAndChargeNothing() {
        TestKey key = billing.account(1_000_000, 1000);
        bad(key, "{\"model\":", "body");
        bad(key, "[1,2]", "body");
        bad(key, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model");
        unknownModel(key, chat("no-such-model", "x"));
        unknownModel(key, chat("unserved-model", "x"));
        bad(key, "{\"model\":\"local-echo\",\"messages\":[]}", "messages");
        bad(key, "{\"model\":\"local-echo\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role");
        bad(key, "{\"model\":\"local-echo\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens");
        bad(key, "{\"model\":\"local-echo\",\"max_tokens\":1000000000000,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens");
        bad(key, "{\"model\":\"local-echo\",\"max_tokens\":\"ten\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens");
        bad(key, "{\"model\":\"local-echo\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream");
        as(key).contentType("application/json")
                .body("{\"provider\":\"nope\",\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/api/v1/proxy/llm").then().statusCode(400).body("field", equalTo("provider"));
        as(key).contentType("application/json")
                .body("{\"provider\":\"alpha\",\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .post("/api/v1/proxy/llm").then().statusCode(400).body("field", equalTo("provider"));
        as(key).contentType("text/plain").body(chat("local-echo", "x")).post("/v1/chat/completions")
                .then().statusCode(400).contentType("application/json").body("error.param", equalTo("Content-Type"));
        // a body over its route's limit: BodyLimitTest
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    /** The same 400 on both endpoints, each in its shape. */
    private void bad(TestKey key, String body, String field) {
        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then()
                .statusCode(400).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error")).body("error.param", equalTo(field));
        as(key).contentType("application/json").body(body).post("/api/v1/proxy/llm").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo(field));
    }

    /** OpenAI's 404 model_not_found on /v1, our 400 naming the field on /api/v1 (as before). */
    private void unknownModel(TestKey key, String body) {
        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then()
                .statusCode(404).contentType("application/json")
                .body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"));
        as(key).contentType("application/json").body(body).post("/api/v1/proxy/llm").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("model"));
    }
}
