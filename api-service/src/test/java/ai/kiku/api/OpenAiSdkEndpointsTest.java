package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The official OpenAI Java SDK on the metered endpoints beyond chat (embeddings, legacy completions,
 * responses) against the built-in local models: answers parse and the balance drops by exactly the price.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class OpenAiSdkEndpointsTest extends ApiTestBase {

    private static OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey(apiKey).maxRetries(0).build();
    }

    @Test
    void shouldCreateEmbeddingsThroughTheSdkAndChargeExactlyTheirPrice() {
        TestKey key = billing.account(1_000_000, 60);
        CreateEmbeddingResponse response = client(key.plaintext()).embeddings().create(EmbeddingCreateParams.builder()
                .model("local-embed").input("hello sdk embeddings").build());
        assertThat(response.data()).hasSize(1);
        assertThat(response.data().get(0).embedding()).hasSize(256);
        long tokens = response.usage().promptTokens();
        assertThat(tokens).isEqualTo(7); // 20 bytes, a token per 3
        // 1,000 per request plus 1 micro per input token (1 USD per million)
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - 1_000 - tokens);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldCreateALegacyCompletionThroughTheSdkAndChargeTheRequestPrice() {
        TestKey key = billing.account(1_000_000, 60);
        Completion completion = client(key.plaintext()).completions().create(CompletionCreateParams.builder()
                .model("local-echo").prompt("hello sdk legacy").build());
        assertThat(completion.choices().get(0).text()).isEqualTo("hello sdk legacy");
        assertThat(completion.usage()).isPresent();
        // local-echo's tokens are free: exactly the per-request price
        assertThat(billing.balance(key.accountId())).isEqualTo(999_000);
    }

    @Test
    void shouldCreateAResponseThroughTheSdkAndChargeTheRequestPrice() {
        TestKey key = billing.account(1_000_000, 60);
        com.openai.models.responses.Response response = client(key.plaintext()).responses().create(
                ResponseCreateParams.builder().model("local-echo").input("hello sdk responses")
                        .instructions("answer briefly").maxOutputTokens(100).build());
        assertThat(response.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text())
                .isEqualTo("hello sdk responses");
        assertThat(response.usage().orElseThrow().outputTokens()).isPositive();
        assertThat(billing.balance(key.accountId())).isEqualTo(999_000);
    }

    @Test
    void shouldStreamAResponseThroughTheSdkEndingWithItsUsage() {
        TestKey key = billing.account(1_000_000, 60);
        List<ResponseStreamEvent> events;
        try (StreamResponse<ResponseStreamEvent> stream = client(key.plaintext()).responses().createStreaming(
                ResponseCreateParams.builder().model("local-echo").input("hello streaming sdk responses").build())) {
            events = stream.stream().toList();
        }
        String text = events.stream().flatMap(event -> event.outputTextDelta().stream())
                .map(delta -> delta.delta()).collect(Collectors.joining());
        assertThat(text).isEqualTo("hello streaming sdk responses");
        ResponseStreamEvent last = events.get(events.size() - 1);
        assertThat(last.isCompleted()).isTrue();
        assertThat(last.completed().orElseThrow().response().usage().orElseThrow().inputTokens()).isPositive();
        assertThat(billing.balance(key.accountId())).isEqualTo(999_000);
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(1);
    }
}
