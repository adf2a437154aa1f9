package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /v1/completions} (legacy): the reservation bounds the output by max_tokens (16 when absent,
 * sent to the provider) × max(n, best_of) per prompt, plus the prompt again with echo; the charge is the
 * reported usage within those bounds. stub-model costs 1 micro per input and 2 per output token, plus
 * 1,000 per request.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class CompletionsTest extends ApiTestBase {

    @Test
    void shouldEchoThePromptWithTheLocalModel() {
        TestKey key = billing.account(1_000_000, 60);
        complete(key, "{\"model\":\"local-echo\",\"prompt\":\"hello legacy world\"}").then().statusCode(200)
                .body("object", equalTo("text_completion")).body("choices[0].text", equalTo("hello legacy world"))
                .body("usage.completion_tokens", equalTo(6));
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000);
    }

    @Test
    void shouldPassThroughSendingTheDefaultMaxTokensAndChargeTheReportedUsage() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        complete(key, "{\"model\":\"stub-model\",\"prompt\":\"hi\"}").then().statusCode(200)
                .body("choices[0].text", equalTo("stub completion"));
        assertThat(lastBody("alpha")).contains("\"max_tokens\":16").contains("\"prompt\":\"hi\"");
        // 2 prompt tokens, 5 completion tokens at 2 micros
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1012);
    }

    @Test
    void shouldReserveEveryBestOfCandidateAndTheEchoedPrompt() {
        // prompt "abcdef": at most 8 tokens; max_tokens 100
        TestKey key = billing.account(2_000, 60);
        String prompt = "\"prompt\":\"abcdef\",\"max_tokens\":100";
        // 1,000 + 8 + 5 × 100 × 2 = 2,008
        complete(key, "{\"model\":\"stub-model\"," + prompt + ",\"n\":2,\"best_of\":5}").then().statusCode(402)
                .body("error.requiredMicros", equalTo(2008));
        // echo bills the prompt again per choice: 1,000 + 8 + 5 × (100 + 8) × 2 = 2,088
        complete(key, "{\"model\":\"stub-model\"," + prompt + ",\"best_of\":5,\"echo\":true}").then().statusCode(402)
                .body("error.requiredMicros", equalTo(2088));
        // two prompts, n 2: 1,000 + 16 + 2 × 2 × 100 × 2 = 1,816
        TestKey rich = billing.account(1_816, 60);
        complete(rich, "{\"model\":\"stub-model\",\"prompt\":[\"abcdef\",\"abcdef\"],\"max_tokens\":100,\"n\":2}")
                .then().statusCode(200);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.balance(key.accountId())).isEqualTo(2_000);
    }

    @Test
    void shouldChargeNoMoreThanTheBoundsWhenTheProviderReportsMore() {
        TestKey key = billing.account(1_000_000, 60);
        // prompt of 17 bytes: at most 19 tokens in; max_tokens 10 out
        complete(key, "{\"model\":\"stub-model\",\"prompt\":\"#usage=999,999999\",\"max_tokens\":10}").then()
                .statusCode(200);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000 + 19 + 20);
    }

    @Test
    void shouldStreamAndChargeTheUsageOfTheFinalChunkWhetherOrNotTheClientAskedForIt() {
        TestKey key = billing.account(1_000_000, 60);
        String asked = complete(key, "{\"model\":\"stub-model\",\"prompt\":\"hi\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}").then().statusCode(200).contentType("text/event-stream")
                .extract().asString();
        assertThat(texts(asked)).isEqualTo("c0 c1 c2 ");
        assertThat(asked).contains("\"completion_tokens\":5").endsWith("data: [DONE]\n\n");
        String unasked = complete(key, "{\"model\":\"stub-model\",\"prompt\":\"hi\",\"stream\":true}").then()
                .statusCode(200).extract().asString();
        assertThat(unasked).doesNotContain("completion_tokens").endsWith("data: [DONE]\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1012, 1012);
    }

    @Test
    void shouldStreamTheLocalEcho() {
        TestKey key = billing.account(1_000_000, 60);
        String body = complete(key, "{\"model\":\"local-echo\",\"prompt\":\"hello streamed legacy\",\"stream\":true}")
                .then().statusCode(200).extract().asString();
        assertThat(texts(body)).isEqualTo("hello streamed legacy");
        assertThat(body).endsWith("data: [DONE]\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000);
    }

    @Test
    void shouldRefuseBadInputNamingTheFieldWithoutReservingOrCharging() {
        TestKey key = billing.account(1_000_000, 60);
        bad(key, "{\"model\":\"stub-model\"}", "prompt");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":[]}", "prompt");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":{\"a\":1}}", "prompt");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":[[1],[\"x\"]]}", "prompt[1]");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"max_tokens\":-1}", "max_tokens");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"max_tokens\":4001}", "max_tokens");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"max_tokens\":\"ten\"}", "max_tokens");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"n\":0}", "n");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"n\":3,\"best_of\":2}", "best_of");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"best_of\":21}", "best_of");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"echo\":\"yes\"}", "echo");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"suffix\":1}", "suffix");
        bad(key, "{\"model\":\"stub-model\",\"prompt\":\"x\",\"stream\":\"x\"}", "stream");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    private static Response complete(TestKey key, String body) {
        return as(key).contentType("application/json").body(body).post("/v1/completions");
    }

    private static void bad(TestKey key, String body, String param) {
        complete(key, body).then().statusCode(400).body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
    }

    private static String texts(String sse) {
        StringBuilder text = new StringBuilder();
        Matcher m = Pattern.compile("\"text\":\"([^\"]*)\"").matcher(sse);
        while (m.find()) {
            text.append(m.group(1));
        }
        return text.toString();
    }
}
