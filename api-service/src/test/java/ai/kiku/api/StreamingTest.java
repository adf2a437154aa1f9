package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@WithTestResource(ApiTestResource.class)
class StreamingTest extends ApiTestBase {

    @Test
    void shouldStreamTheLocalEchoWordByWordEndingWithDone() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = as(key).contentType("application/json")
                .body(streamChat("local-echo", "hello streaming world", false)).post("/v1/chat/completions");
        response.then().statusCode(200).contentType("text/event-stream");
        String body = response.asString();
        assertThat(contents(body)).isEqualTo("hello streaming world");
        assertThat(body).endsWith("data: [DONE]\n\n").doesNotContain("prompt_tokens");
        assertThat(billing.balance(key.accountId())).isEqualTo(999_000);
    }

    @Test
    void shouldKeepTheUsageChunkWhenTheClientAskedForIt() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("stub-model", "hi", true))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertThat(body).contains("\"prompt_tokens\":20").contains("\"completion_tokens\":2000")
                .endsWith("data: [DONE]\n\n");
        assertThat(contents(body)).isEqualTo("w0 w1 w2 w3 w4 ");
        assertThat(billing.balance(key.accountId())).isEqualTo(994_980);
    }

    @Test
    void shouldStripTheUsageChunkTheClientDidNotAskForButStillChargeIt() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("stub-model", "hi", false))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertThat(body).doesNotContain("prompt_tokens").endsWith("data: [DONE]\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
    }

    @Test
    void shouldEndOwnShapeStreamsWithTheCharge() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json")
                .body("{\"model\":\"local-echo\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/api/v1/proxy/llm").then().statusCode(200).extract().asString();
        assertThat(body).contains("\"object\":\"kiku.charge\"").contains("\"costMicros\":1000")
                .contains("\"balanceMicros\":999000").endsWith("data: [DONE]\n\n");
    }

    @Test
    void shouldChargeTheRealUsageOfAStreamWhoseClientDisconnected() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        String requestId;
        String body = streamChat("stub-model", "#long story", false);
        requestId = streamAndLeave(key, "/v1/chat/completions", body);
        assertThat(requestId).startsWith("req_");
        // The stub needs ~2 s for its 20 chunks; the charge appears when it has finished.
        awaitUsage(key.accountId(), requestId);
        assertThat(billing.usageField(key.accountId(), requestId, "cost")).isEqualTo("5020");
        assertThat(billing.usageField(key.accountId(), requestId, "out")).isEqualTo("2000");
        assertThat(billing.balance(key.accountId())).isEqualTo(994_980);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldChargeTheEstimateNeverZeroWhenTheStreamReportsNoUsage() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("stub-model", "#nousage please", false))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertThat(body).endsWith("data: [DONE]\n\n");
        // input estimate 3 + 4 (one message) + 45 (the forwarded body's 133 bytes of compact JSON / 3) = 52
        // tokens at 1 USD/M; output seen "w0 ".."w4 " = 15 bytes = 5 tokens at 2 USD/M; plus 1,000 per request
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1062);
    }

    @Test
    void shouldChargeWhatWasDeliveredWhenTheUpstreamCutsTheStream() {
        TestKey key = billing.account(1_000_000, 60);
        String body = as(key).contentType("application/json").body(streamChat("stub-model", "#truncate please", false))
                .post("/v1/chat/completions").then().statusCode(200).extract().asString();
        assertThat(contents(body)).isEqualTo("w0 w1 w2 ");
        assertThat(body).contains("upstream_error").doesNotContain("[DONE]");
        // input estimate 3 + 4 + 45 (134 bytes / 3) = 52; output 9 bytes = 3 tokens (6 micros); plus 1,000
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1058);
        assertThat(billing.held(key.accountId())).isZero();
    }

    private static String contents(String sse) {
        StringBuilder text = new StringBuilder();
        Matcher m = Pattern.compile("\"content\":\"([^\"]*)\"").matcher(sse);
        while (m.find()) {
            text.append(m.group(1));
        }
        return text.toString();
    }
}
