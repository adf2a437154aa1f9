package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.api.support.UpstreamStub;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: every answer says what it cost in {@code usage.cost_micros}, equal to the
 * {@code X-Kiku-Cost-Micros} header and to the balance drop, streamed (in the usage chunk) or not,
 * and the rest of the provider's answer reaches the client byte for byte.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class CostInAnswerTest extends ApiTestBase {

    /** stub-model: 1,000 per request + 20 prompt tokens at 1 USD/M + 2,000 completion tokens at 2 USD/M. */
    private static final long STUB_COST = 1000 + 20 + 4000;
    private static final Pattern COST = Pattern.compile("\"cost_micros\":(\\d+)");

    private static OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey(apiKey).maxRetries(0).build();
    }

    @Test
    void shouldPutTheChargeInTheUsageOfAnAnswerSeenThroughTheSdk() {
        TestKey key = billing.account(1_000_000, 60);
        ChatCompletion completion = client(key.plaintext()).chat().completions().create(
                ChatCompletionCreateParams.builder().model("stub-model").addUserMessage("hello").build());
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(2000);
        assertThat(usage._additionalProperties().get("cost_micros").convert(Long.class)).isEqualTo(STUB_COST);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - STUB_COST);
    }

    @Test
    void shouldAddOnlyTheCostToTheProvidersBytes() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = as(key).contentType("application/json").body(chat("stub-model", "#rich answer"))
                .post("/v1/chat/completions");
        response.then().statusCode(200).header("X-Kiku-Cost-Micros", Long.toString(STUB_COST));
        String expected = UpstreamStub.RICH.replace("__model__", "stub-model")
                .replace("\"reasoning_tokens\":0}}", "\"reasoning_tokens\":0},\"cost_micros\":" + STUB_COST + "}");
        assertThat(response.asString()).isEqualTo(expected);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - STUB_COST);
    }

    @Test
    void shouldMatchTheHeaderAndTheBalanceDropOnBothShapes() {
        TestKey key = billing.account(1_000_000, 60);
        Response openAi = as(key).contentType("application/json").body(chat("stub-model", "hi"))
                .post("/v1/chat/completions");
        openAi.then().statusCode(200);
        long cost = openAi.jsonPath().getLong("usage.cost_micros");
        assertThat(cost).isEqualTo(STUB_COST).isEqualTo(Long.parseLong(openAi.header("X-Kiku-Cost-Micros")));
        Response own = as(key).contentType("application/json").body(chat("local-echo", "hi"))
                .post("/api/v1/proxy/llm");
        own.then().statusCode(200);
        assertThat(own.jsonPath().getLong("usage.cost_micros")).isEqualTo(1000)
                .isEqualTo(Long.parseLong(own.header("X-Kiku-Cost-Micros")));
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - STUB_COST - 1000);
    }

    @Test
    void shouldPutTheChargeInTheUsageChunkOfAStream() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("stub-model", "hi", true))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        Matcher m = COST.matcher(body);
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(STUB_COST);
        assertThat(m.find()).isFalse();
        // without include_usage the usage chunk is still stripped, cost and all
        String unasked = as(key).contentType("application/json").body(streamChat("stub-model", "hi", false))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertThat(unasked).doesNotContain("cost_micros").doesNotContain("\"prompt_tokens\"").endsWith("data: [DONE]\n\n");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - 2 * STUB_COST);
    }

    @Test
    void shouldPutTheChargeInTheLastChunkSeenThroughTheSdk() {
        TestKey key = billing.account(1_000_000, 60);
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("stub-model").addUserMessage("hi")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client(key.plaintext()).chat().completions()
                .createStreaming(params)) {
            chunks = stream.stream().toList();
        }
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        long cost = usage._additionalProperties().get("cost_micros").convert(Long.class);
        assertThat(cost).isEqualTo(STUB_COST);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - cost);
    }
}
