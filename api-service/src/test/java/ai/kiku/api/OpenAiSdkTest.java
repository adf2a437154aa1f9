package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.errors.UnexpectedStatusCodeException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The official OpenAI Java SDK pointed at the gateway, as API developers use it: answers parse, and
 * each error reaches the developer as the SDK's exception carrying our message, param and code.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class OpenAiSdkTest extends ApiTestBase {

    private static OpenAIClient client(String apiKey) {
        // no retries: the SDK would retry 429 and 5xx, and these tests pin single answers
        return OpenAIOkHttpClient.builder().baseUrl("http://localhost:" + RestAssured.port + "/v1")
                .apiKey(apiKey).maxRetries(0).build();
    }

    private static ChatCompletionCreateParams chatParams(String model, String text) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(text).build();
    }

    @Test
    void shouldCompleteAChatThroughTheSdkAndChargeIt() {
        TestKey key = billing.account(1_000_000, 60);
        ChatCompletion completion = client(key.plaintext()).chat().completions().create(chatParams("local-echo", "hello sdk"));
        assertThat(completion.choices().get(0).message().content()).contains("hello sdk");
        assertThat(completion.usage()).isPresent();
        assertThat(billing.balance(key.accountId())).isLessThan(1_000_000);
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(1);
    }

    @Test
    void shouldStreamAChatThroughTheSdkWithItsUsage() {
        TestKey key = billing.account(1_000_000, 60);
        ChatCompletionCreateParams params = chatParams("local-echo", "hello streaming sdk").toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream = client(key.plaintext()).chat().completions()
                .createStreaming(params)) {
            chunks = stream.stream().toList();
        }
        String text = chunks.stream().flatMap(chunk -> chunk.choices().stream())
                .map(choice -> choice.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isEqualTo("hello streaming sdk");
        assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(1);
    }

    @Test
    void shouldRetrieveAServedModelAndNotChargeForIt() {
        TestKey key = billing.account(1_000_000, 60);
        Model model = client(key.plaintext()).models().retrieve("local-echo");
        assertThat(model.id()).isEqualTo("local-echo");
        assertThat(model.ownedBy()).isNotBlank();
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    @Test
    void shouldReportAnInvalidFieldAsBadRequestNamingIt() {
        TestKey key = billing.account(1_000_000, 60);
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client(key.plaintext()).chat()
                .completions().create(ChatCompletionCreateParams.builder().model("local-echo").messages(List.of())
                        .build()));
        assertError(e, 400, "invalid_request_error", "messages", null, "messages must be a non-empty array");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    @Test
    void shouldReportABadKeyAsUnauthorizedWithInvalidApiKey() {
        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
                () -> client("kiku_live_not-a-real-key").chat().completions().create(chatParams("local-echo", "hi")));
        assertError(e, 401, "invalid_request_error", null, "invalid_api_key", "a valid API key is required");
    }

    @Test
    void shouldReportMissingCreditAs402WithTheAmounts() {
        TestKey key = billing.account(500, 60);
        UnexpectedStatusCodeException e = catchThrowableOfType(UnexpectedStatusCodeException.class,
                () -> client(key.plaintext()).chat().completions().create(chatParams("local-echo", "hi")));
        assertError(e, 402, "insufficient_quota", null, "insufficient_quota",
                "may cost up to 0.001000 USD but only 0.000500 USD is available");
        assertThat(billing.balance(key.accountId())).isEqualTo(500);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldReportASuspendedAccountAsPermissionDenied() {
        TestKey key = billing.account(1_000_000, 60);
        billing.suspend(key.accountId());
        PermissionDeniedException e = catchThrowableOfType(PermissionDeniedException.class,
                () -> client(key.plaintext()).chat().completions().create(chatParams("local-echo", "hi")));
        assertError(e, 403, "invalid_request_error", null, "account_inactive", "suspended or closed");
    }

    @Test
    void shouldReportAnUnknownModelAsNotFoundOnChatAndRetrieve() {
        TestKey key = billing.account(1_000_000, 60);
        OpenAIClient client = client(key.plaintext());
        NotFoundException chat = catchThrowableOfType(NotFoundException.class,
                () -> client.chat().completions().create(chatParams("no-such-model", "hi")));
        assertError(chat, 404, "invalid_request_error", "model", "model_not_found", "unknown model 'no-such-model'");
        NotFoundException retrieve = catchThrowableOfType(NotFoundException.class,
                () -> client.models().retrieve("unserved-model"));
        assertError(retrieve, 404, "invalid_request_error", "model", "model_not_found", "'unserved-model'");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldReportTheRateLimitWithRetryAfter() {
        TestKey key = billing.account(1_000_000, 1);
        OpenAIClient client = client(key.plaintext());
        client.chat().completions().create(chatParams("local-echo", "hi"));
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.chat().completions().create(chatParams("local-echo", "hi")));
        assertError(e, 429, "requests", null, "rate_limit_exceeded", "limit of 1 requests per minute");
        assertThat(e.headers().values("Retry-After")).singleElement()
                .satisfies(seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
    }

    @Test
    void shouldReportAnUpstreamFailureAsAServerErrorWithoutCharging() {
        TestKey key = billing.account(1_000_000, 60);
        InternalServerException e = catchThrowableOfType(InternalServerException.class,
                () -> client(key.plaintext()).chat().completions().create(chatParams("stub-model", "#fail")));
        assertError(e, 502, "server_error", null, "upstream_unavailable", "you were not charged");
        assertThat(e.getMessage()).doesNotContain("Bearer").doesNotContain("sk-");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldEndATruncatedStreamWithAnErrorTheSdkRaises() {
        TestKey key = billing.account(1_000_000, 60);
        SseException e = catchThrowableOfType(SseException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = client(key.plaintext()).chat().completions()
                    .createStreaming(chatParams("stub-model", "#truncate please"))) {
                stream.stream().forEach(chunk -> { });
            }
        });
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("the upstream stream ended before completion");
        assertThat(e.code()).contains("upstream_truncated");
    }

    private static void assertError(OpenAIServiceException e, int status, String type, String param, String code,
                                    String message) {
        assertThat(e).as("the SDK raised its exception for %d", status).isNotNull();
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.getMessage()).contains(message);
        assertThat(e.type()).contains(type);
        if (param == null) {
            assertThat(e.param()).isEmpty();
        } else {
            assertThat(e.param()).contains(param);
        }
        if (code == null) {
            assertThat(e.code()).isEmpty();
        } else {
            assertThat(e.code()).contains(code);
        }
    }
}
