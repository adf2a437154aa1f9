package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.money.KeySpend;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
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
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** A key's own controls (spend caps, allowed models, expiry, tokens per minute), enforced in the reservation. */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class KeyControlsTest extends ApiTestBase {

    @Test
    void shouldNeverExceedKeySpendCapUnderFiftyConcurrentCalls() {
        // local-echo reserves and charges exactly 1,000 micros: the cap covers 10 calls, the balance 1,000.
        TestKey key = billing.account(1_000_000, 1000);
        billing.controls(key, 1000, null, 10_000L, null, null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(chat("local-echo", "capped"))).build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();

        long charged = 0;
        for (long cost : billing.usageCosts(key.accountId())) {
            charged += cost;
        }
        assertThat(answers.stream().filter(a -> a.statusCode() == 200)).hasSize(10);
        assertThat(answers.stream().filter(a -> a.statusCode() == 402))
                .hasSize(40).allSatisfy(a -> assertThat(a.body()).contains("insufficient_quota")
                        .contains("spend cap of 0.010000 USD"));
        assertThat(charged).isEqualTo(10_000);
        assertThat(billing.keyCounter(key, "s")).isEqualTo(Long.toString(charged));
        assertThat(billing.keyCounter(key, "h")).isEqualTo("0");
        assertThat(billing.balance(key.accountId())).isEqualTo(990_000);
    }

    @Test
    void shouldRefuseAModelOutsideTheKeysListWith403NamingModel() {
        TestKey key = billing.account(1_000_000, 60);
        billing.controls(key, 60, null, null, null, null, "local-echo");
        var client = OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey(key.plaintext()).maxRetries(0).build();

        PermissionDeniedException e = catchThrowableOfType(() -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("stub-model").addUserMessage("hi").build()),
                PermissionDeniedException.class);

        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.param()).contains("model");
        assertThat(e.code()).contains("model_not_allowed");
        assertThat(e.getMessage()).contains("stub-model");
        assertThat(client.chat().completions().create(ChatCompletionCreateParams.builder().model("local-echo")
                .addUserMessage("hi").build()).choices()).isNotEmpty();
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(1);
    }

    @Test
    void shouldAnswerAnExpiredKeyLikeAnInvalidOne() {
        TestKey expired = billing.account(1_000_000, 60);
        billing.controls(expired, 60, null, null, null, Instant.now().minusSeconds(60).toEpochMilli());
        TestKey valid = billing.key(expired.accountId(), 60);
        billing.controls(valid, 60, null, null, null, Instant.now().plusSeconds(3600).toEpochMilli());

        as(expired).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(401).body("error.code", equalTo("invalid_api_key"))
                .body("error.message", containsString("expired"));
        as(valid).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        as(expired).get("/api/v1/balance").then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("expired"));
        as(valid).get("/api/v1/balance").then().statusCode(200);
        assertThat(billing.usageRecords(expired.accountId())).isEqualTo(1);
    }

    @Test
    void shouldCountTheMonthlyCapPerUtcMonthOnRedisClock() {
        TestKey key = billing.account(1_000_000, 60);
        billing.controls(key, 60, null, null, 3_000L, null);
        for (int i = 0; i < 3; i++) {
            as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                    .then().statusCode(200);
        }
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/api/v1/proxy/llm")
                .then().statusCode(402).body("cap", equalTo("monthly")).body("capMicros", equalTo(3000))
                .body("usedMicros", equalTo(3000)).body("requiredMicros", equalTo(1000))
                .body("detail", containsString("monthly spend cap"));
        // the script's month (from Redis' TIME) is the UTC month as Java names it
        assertThat(billing.keyCounter(key, "mw"))
                .isEqualTo(Integer.toString(KeySpend.monthIndex(YearMonth.now(ZoneOffset.UTC))));

        // what the key spent in an earlier month no longer counts
        billing.setKeyCounter(key, "mw", Integer.toString(KeySpend.monthIndex(YearMonth.now(ZoneOffset.UTC)) - 1));
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(200);
        assertThat(billing.keyCounter(key, "m")).isEqualTo("1000");
        assertThat(billing.keyCounter(key, "s")).isEqualTo("4000");
    }

    @Test
    void shouldRefuseWith429OnceTheKeysTokensPerMinuteAreUsed() throws InterruptedException {
        awayFromAMinuteBoundary();
        TestKey key = billing.account(1_000_000, 60);
        String body = "{\"model\":\"local-echo\",\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        // one call's bound (input bound + output bound), as the script counts it, measured on a second key
        TestKey probe = billing.key(key.accountId(), 60);
        billing.controls(probe, 60, 1_000_000L, null, null, null);
        as(probe).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);
        long bound = tokensCounted(probe);
        assertThat(bound).isGreaterThan(1000);

        billing.controls(key, 60, 2 * bound, null, null, null);
        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);
        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);
        Response limited = as(key).contentType("application/json").body(body).post("/v1/chat/completions");
        limited.then().statusCode(429).body("error.code", equalTo("rate_limit_exceeded"))
                .body("error.message", containsString("tokens per minute"));
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);

        // a request that alone exceeds the limit says so
        billing.controls(probe, 60, bound - 1, null, null, null);
        as(probe).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(429)
                .body("error.message", containsString("more than this key's limit"));
    }

    private long tokensCounted(TestKey key) {
        return Long.parseLong(redis.send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.HGET)
                .arg(ai.kiku.common.redis.KeySchema.rateLimit(key.accountId(), key.keyId())).arg("t"))
                .await().atMost(Duration.ofSeconds(10)).toString());
    }

    /** Windows are whole minutes of Redis' clock (the same machine's): start a test well inside one. */
    private static void awayFromAMinuteBoundary() throws InterruptedException {
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 45_000) {
            Thread.sleep(60_500 - intoMinute);
        }
    }
}
