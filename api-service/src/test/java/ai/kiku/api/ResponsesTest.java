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
import static org.hamcrest.Matchers.equalTo;

/**
 * {@code POST /v1/responses} (OpenAI's Responses API), whole and streamed: charged the usage of the
 * response object (streams: of {@code response.completed}), within the bounds; streams keep their event
 * names and end with the terminal event (no [DONE]). stub-model costs 1 micro per input and 2 per output
 * token, plus 1,000 per request; its responses report 3 in and 7 out by default.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class ResponsesTest extends ApiTestBase {

    @Test
    void shouldEchoTheInputWithTheLocalModel() {
        TestKey key = billing.account(1_000_000, 60);
        respond(key, "{\"model\":\"local-echo\",\"input\":\"hello responses\",\"instructions\":\"be brief\"}").then()
                .statusCode(200).body("object", equalTo("response")).body("status", equalTo("completed"))
                .body("output[0].content[0].text", equalTo("hello responses"))
                .body("usage.output_tokens", equalTo(5));
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000);
    }

    @Test
    void shouldStreamTheLocalEchoWithTheRealEventNamesEndingWithCompleted() {
        TestKey key = billing.account(1_000_000, 60);
        String body = respond(key, "{\"model\":\"local-echo\",\"stream\":true,\"input\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"hello streamed responses\"}]}]}").then()
                .statusCode(200).contentType("text/event-stream").extract().asString();
        assertThat(deltas(body)).isEqualTo("hello streamed responses");
        assertThat(body).contains("event: response.created\ndata: {\"type\":\"response.created\"")
                .contains("event: response.output_text.delta\n").doesNotContain("[DONE]");
        assertThat(body.substring(body.lastIndexOf("event: "))).startsWith("event: response.completed\n")
                .contains("\"usage\":{\"input_tokens\":").endsWith("\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000);
    }

    @Test
    void shouldPassThroughWithToolsAndTheOutputCapAndChargeTheReportedUsage() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        respond(key, "{\"model\":\"stub-model\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\",\"name\":\"lookup\","
                + "\"parameters\":{\"type\":\"object\"}}]}").then().statusCode(200)
                .body("output[0].content[0].text", equalTo("stub response"));
        assertThat(lastBody("alpha")).contains("\"name\":\"lookup\"").contains("\"max_output_tokens\":4000");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000 + 3 + 14);
    }

    @Test
    void shouldChargeTheUsageOfResponseCompletedOnAStream() {
        TestKey key = billing.account(1_000_000, 60);
        String body = respond(key, "{\"model\":\"stub-model\",\"input\":\"hi\",\"stream\":true}").then().statusCode(200)
                .extract().asString();
        assertThat(deltas(body)).isEqualTo("r0 r1 r2 ");
        assertThat(body).contains("\"output_tokens\":7").endsWith("\n\n");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1000 + 3 + 14);
    }

    @Test
    void shouldEndAStreamWithoutItsTerminalEventWithAnErrorEventAndChargeWhatWasSeen() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = respond(key, "{\"model\":\"stub-model\",\"input\":\"#truncate\",\"stream\":true}");
        String body = response.then().statusCode(200).extract().asString();
        assertThat(deltas(body)).isEqualTo("r0 r1 r2 ");
        assertThat(body.substring(body.lastIndexOf("event: "))).startsWith("event: error\ndata: {\"type\":\"error\"")
                .contains("\"code\":\"upstream_truncated\"");
        // no usage came: the input estimate and the 9 bytes of output seen (3 tokens)
        assertThat(billing.usageField(key.accountId(), response.header("X-Request-Id"), "out")).isEqualTo("3");
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldChargeNoMoreOutputThanMaxOutputTokens() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = respond(key, "{\"model\":\"stub-model\",\"input\":\"#usage=5,99999\",\"max_output_tokens\":10}");
        response.then().statusCode(200);
        String id = response.header("X-Request-Id");
        assertThat(billing.usageField(key.accountId(), id, "in")).isEqualTo("5");
        assertThat(billing.usageField(key.accountId(), id, "out")).isEqualTo("10");
    }

    @Test
    void shouldChargeTheRealUsageOfAResponseStreamWhoseClientDisconnected() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        String body = "{\"model\":\"stub-model\",\"stream\":true,\"input\":\"#long #usage=5,9\"}";
        String requestId;
        requestId = streamAndLeave(key, "/v1/responses", body);
        assertThat(requestId).startsWith("req_");
        // the stub needs ~2 s for its 20 deltas; the charge appears when it has finished
        awaitUsage(key.accountId(), requestId);
        assertThat(billing.usageField(key.accountId(), requestId, "cost")).isEqualTo("1023");
        assertThat(billing.usageField(key.accountId(), requestId, "out")).isEqualTo("9");
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldRefuseWhatCannotBePricedOrIsInvalidNamingTheField() {
        TestKey key = billing.account(1_000_000, 60);
        bad(key, "{\"model\":\"stub-model\"}", "input");
        bad(key, "{\"model\":\"stub-model\",\"input\":[]}", "input");
        bad(key, "{\"model\":\"stub-model\",\"input\":[\"x\"]}", "input[0]");
        bad(key, "{\"model\":\"stub-model\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0]");
        bad(key, "{\"model\":\"stub-model\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
                + "\"file_id\":\"file-1\"}]}]}", "input[0]");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "previous_response_id");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"max_output_tokens\":0}", "max_output_tokens");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"max_output_tokens\":4001}", "max_output_tokens");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"background\":true}", "background");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"instructions\":5}", "instructions");
        bad(key, "{\"model\":\"stub-model\",\"input\":\"x\",\"stream\":\"x\"}", "stream");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    private static Response respond(TestKey key, String body) {
        return as(key).contentType("application/json").body(body).post("/v1/responses");
    }

    private static void bad(TestKey key, String body, String param) {
        respond(key, body).then().statusCode(400).body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
    }

    private static String deltas(String sse) {
        StringBuilder text = new StringBuilder();
        Matcher m = Pattern.compile("\"delta\":\"([^\"]*)\"").matcher(sse);
        while (m.find()) {
            text.append(m.group(1));
        }
        return text.toString();
    }
}
