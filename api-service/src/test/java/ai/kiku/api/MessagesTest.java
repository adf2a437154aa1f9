package ai.kiku.api;

import ai.kiku.api.support.AnthropicStub;
import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.money.Micros;
import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.PaymentRequiredException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /v1/messages} through the official Anthropic Java SDK, pointed at the gateway as a customer
 * would: answers and streams pass through from providers of type {@code anthropic}, each call is charged
 * from Anthropic's usage (cache writes and reads at their multiples), and errors come in Anthropic's shape.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class MessagesTest extends ApiTestBase {

    /** claude-test: per request 1,000 micros, 3 USD / 15 USD per million tokens in / out. */
    private static final long IN_PER_MILLION = 3_000_000;
    private static final long OUT_PER_MILLION = 15_000_000;

    @ConfigProperty(name = "kiku.test.anthropic-port")
    int anthropicPort;

    private static AnthropicClient client(TestKey key) {
        return AnthropicOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port)
                .apiKey(key.plaintext()).maxRetries(0).build();
    }

    private static MessageCreateParams ask(String text) {
        return MessageCreateParams.builder().model("claude-test").maxTokens(200).addUserMessage(text).build();
    }

    private static long cost(long in, long out) {
        return 1000 + Micros.perMillionTokens(in, IN_PER_MILLION) + Micros.perMillionTokens(out, OUT_PER_MILLION);
    }

    @Test
    void shouldAnswerTheSdkAndChargeAnthropicsUsageExactly() throws Exception {
        TestKey key = billing.account(5_000_000, 600);

        Message message = client(key).messages().create(ask("hello"));

        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("stub answer");
        assertThat(message.usage().inputTokens()).isEqualTo(AnthropicStub.INPUT);
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - cost(AnthropicStub.INPUT, AnthropicStub.OUTPUT));
        // the provider got the model, our key for it and the API version; the client's key never leaves
        assertThat(anthropic("/claude/auth")).isEqualTo("sk-ant-claude 2023-06-01");
        assertThat(anthropic("/claude/last")).contains("\"model\":\"claude-test\"").contains("\"max_tokens\":200");
    }

    @Test
    void shouldStreamAnthropicsEventsToTheSdkAndChargeTheFinalUsage() {
        TestKey key = billing.account(5_000_000, 600);
        MessageAccumulator accumulator = MessageAccumulator.create();

        try (StreamResponse<RawMessageStreamEvent> stream = client(key).messages().createStreaming(ask("hello"))) {
            stream.stream().forEach(accumulator::accumulate);
        }

        Message message = accumulator.message();
        assertThat(message.content().get(0).text().orElseThrow().text()).isEqualTo("w0 w1 w2 ");
        assertThat(message.usage().outputTokens()).isEqualTo(AnthropicStub.OUTPUT);
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - cost(AnthropicStub.INPUT, AnthropicStub.OUTPUT));
    }

    @Test
    void shouldChargeCacheWritesAndReadsAtTheirMultiples() {
        TestKey key = billing.account(5_000_000, 600);
        MessageCreateParams params = MessageCreateParams.builder().model("claude-test").maxTokens(200)
                .systemOfTextBlockParams(List.of(TextBlockParam.builder().text("x".repeat(3000))
                        .cacheControl(CacheControlEphemeral.builder().build()).build()))
                .addUserMessage("#cache").build();

        client(key).messages().create(params);

        // 31 input + 1,000 five-minute writes at 1.25x + 2,000 reads at 0.1x = 1,481 input-price tokens
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - cost(31 + 1250 + 200, AnthropicStub.OUTPUT));
    }

    @Test
    void shouldFallOverWhenAnAnthropicProviderIsRateLimitedOrOverloaded() throws Exception {
        TestKey key = billing.account(5_000_000, 600);
        int backupBefore = Integer.parseInt(anthropic("/claude2/hits"));

        // the stub answers 429 (and 529) for both providers: every one is tried, nothing is charged
        AnthropicServiceException limited = catchThrowableOfType(AnthropicServiceException.class,
                () -> client(key).messages().create(ask("#ratelimit")));
        AnthropicServiceException overloaded = catchThrowableOfType(AnthropicServiceException.class,
                () -> client(key).messages().create(ask("#overload")));

        assertThat(limited.statusCode()).isEqualTo(503);
        assertThat(overloaded.statusCode()).isIn(502, 503);
        assertThat(Integer.parseInt(anthropic("/claude2/hits"))).isEqualTo(backupBefore + 2);
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000);
    }

    @Test
    void shouldAnswerErrorsInAnthropicsShapeAndChargeNothing() {
        TestKey key = billing.account(5_000_000, 600);

        NotFoundException unknown = catchThrowableOfType(NotFoundException.class, () -> client(key).messages()
                .create(MessageCreateParams.builder().model("stub-model").maxTokens(10).addUserMessage("hi").build()));
        assertThat(unknown.getMessage()).contains("not served on this endpoint");

        TestKey poor = billing.account(1_000, 600);
        PaymentRequiredException broke = catchThrowableOfType(PaymentRequiredException.class,
                () -> client(poor).messages().create(ask("hi")));
        assertThat(broke.getMessage()).contains("top up");

        BadRequestException bad = catchThrowableOfType(BadRequestException.class, () -> client(key).messages()
                .create(MessageCreateParams.builder().model("claude-test").maxTokens(10).addUserMessage("#bad").build()));
        assertThat(bad.getMessage()).contains("roles must alternate");

        RestAssured.given().header("x-api-key", key.plaintext()).contentType("application/json")
                .body("{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/messages").then().statusCode(400)
                .body("type", equalTo("error")).body("error.type", equalTo("invalid_request_error"))
                .body("error.field", equalTo("max_tokens")).body("error.message", containsString("max_tokens"));
        RestAssured.given().contentType("application/json").body("{}").post("/v1/messages").then().statusCode(401)
                .body("error.type", equalTo("authentication_error"));
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000);
    }

    @Test
    void shouldPointChatCallsForAnAnthropicModelToMessages() {
        TestKey key = billing.account(5_000_000, 600);

        as(key).contentType("application/json").body(chat("claude-test", "hi")).post("/v1/chat/completions").then()
                .statusCode(404).body("error.code", equalTo("model_not_found"))
                .body("error.message", containsString("/v1/messages"));
    }

    private String anthropic(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + anthropicPort
                + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
