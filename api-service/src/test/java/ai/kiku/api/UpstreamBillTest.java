package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reservation is a true upper bound of what a provider can bill (issue 12, section 1): input from
 * the whole body, images at the model's ceiling, output capped by an explicit max_tokens, and
 * provider-reported counts never trusted beyond what the request allows.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class UpstreamBillTest extends ApiTestBase {

    private static final Pattern ANOMALIES =
            Pattern.compile("(?m)^kiku_upstream_usage_anomalies_total\\{provider=\"alpha\"} (\\S+)$");

    /** A response_format JSON schema of about {@code bytes} bytes, as a structured-output client sends it. */
    private static String schemaBody(String model, int bytes, String text) {
        StringBuilder properties = new StringBuilder();
        for (int i = 0; properties.length() < bytes; i++) {
            properties.append(i == 0 ? "" : ",").append("\"field_").append(i)
                    .append("\":{\"type\":\"string\",\"description\":\"the customer's answer to question number ")
                    .append(i).append(", verbatim, without any reformatting or added commentary\"}");
        }
        return "{\"model\":\"" + model + "\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"" + text
                + "\"}],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"form\",\"strict\":true,"
                + "\"schema\":{\"type\":\"object\",\"properties\":{" + properties + "}}}}}";
    }

    @Test
    void shouldReserveAWholeResponseFormatSchemaAndRefuseASmallBalanceBeforeAnyUpstreamCall() throws Exception {
        // gpt-4o prices (2.5 USD/M in): a provider bills ~100k tokens, ~250,000 micros, for 400 kB of schema
        TestKey key = billing.account(200_000, 60);
        String body = schemaBody("big-model", 400_000, "fill the form");
        int before = hits("alpha");

        Response refused = as(key).contentType("application/json").body(body).post("/v1/chat/completions");

        refused.then().statusCode(402);
        // at most one token per byte of the schema: 400,000 x 2.5 micros, the worst case of any tokenizer
        assertThat(refused.jsonPath().getLong("error.requiredMicros")).isGreaterThanOrEqualTo(1_000_000);
        assertThat(hits("alpha")).isEqualTo(before);
        assertThat(billing.balance(key.accountId())).isEqualTo(200_000);
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldChargeTheFullReportedCostOfALargeSchema() {
        TestKey key = billing.account(5_000_000, 60);
        // the provider reports what it bills: 100,000 prompt tokens (a token per 4 bytes), 1 completion token
        String body = schemaBody("big-model", 400_000, "fill the form #usage=100000,1");

        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200)
                // 1,000 + 100,000 x 2.5 + 1 x 10 micros: nothing of the provider's bill absorbed
                .header("X-Kiku-Cost-Micros", "251010");

        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - 251_010);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldSendTheUpstreamAnExplicitOutputCapWhenTheClientSetNone() throws Exception {
        TestKey key = billing.account(1_000_000, 60);

        as(key).contentType("application/json").body(chat("stub-model", "no cap from me"))
                .post("/v1/chat/completions").then().statusCode(200);
        JsonPath sent = new JsonPath(lastBody("alpha"));
        // stub-model's cap in the catalogue, the very number the reservation priced
        assertThat(sent.getInt("max_tokens")).isEqualTo(4000);
        assertThat(sent.getString("max_completion_tokens")).isNull();

        as(key).contentType("application/json")
                .body("{\"model\":\"stub-model\",\"max_completion_tokens\":7,\"messages\":[{\"role\":\"user\",\"content\":\"mine\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
        sent = new JsonPath(lastBody("alpha"));
        assertThat(sent.getInt("max_completion_tokens")).isEqualTo(7);
        assertThat(sent.getString("max_tokens")).isNull();
    }

    @Test
    void shouldCapAbsurdReportedTokenCountsAtTheRequestsBoundsAndCountThem() {
        TestKey key = billing.account(100_000_000, 600);
        String[] reported = {"9223372036854775807,5", "99999999999999999999999,5", "-7,5", "12.5,5", "\"many\",5",
                "1e300,1e300", "20,-1", "20,100000"};
        double anomaliesBefore = anomalies();
        for (String usage : reported) {
            String body = "{\"model\":\"stub-model\",\"max_tokens\":10,\"n\":2,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"count this #usage=" + usage.replace("\"", "\\\"") + "\"}]}";
            Response response = as(key).contentType("application/json").body(body).post("/v1/chat/completions");
            response.then().statusCode(200);
            String requestId = response.header("X-Request-Id");
            long in = Long.parseLong(billing.usageField(key.accountId(), requestId, "in"));
            long out = Long.parseLong(billing.usageField(key.accountId(), requestId, "out"));
            long cost = Long.parseLong(billing.usageField(key.accountId(), requestId, "cost"));
            // the input bound is about the body's length; output at most max_tokens x n
            assertThat(in).as("input charged for %s", usage).isBetween(20L, body.length() + 100L);
            assertThat(out).as("output charged for %s", usage).isBetween(5L, 20L);
            assertThat(cost).isEqualTo(1000 + in + 2 * out);
        }
        assertThat(anomalies() - anomaliesBefore).isEqualTo(reported.length);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldPriceEachImagePartAtTheModelsCeilingNotItsBytes() {
        TestKey key = billing.account(1, 60);
        String pixels = "A".repeat(300_000);
        // max_tokens at the model's maximum: without it the gateway would cap the output to what the balance pays
        String body = "{\"model\":\"stub-model\",\"max_tokens\":4000,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what differs?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + pixels + "\",\"detail\":\"high\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}]}";

        Response refused = as(key).contentType("application/json").body(body).post("/v1/chat/completions");

        refused.then().statusCode(402);
        // 1,000 per request + 4,000 output tokens x 2 + 2 images x 1,445 tokens (gpt-4o's worst case:
        // 85 + 170 x 8 tiles) + the JSON around them (under 400 bytes) at 1 micro a token
        long lowest = 1000 + 8000 + 2 * 1445;
        assertThat(refused.jsonPath().getLong("error.requiredMicros")).isBetween(lowest, lowest + 400);
    }

    @Test
    void shouldRefuseAFilePartItCannotPrice() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).contentType("application/json")
                .body("{\"model\":\"stub-model\",\"messages\":[{\"role\":\"user\",\"content\":["
                        + "{\"type\":\"file\",\"file\":{\"file_id\":\"file-abc\"}}]}]}")
                .post("/v1/chat/completions").then().statusCode(400);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    private double anomalies() {
        Matcher m = ANOMALIES.matcher(RestAssured.get("/q/metrics").then().statusCode(200).extract().asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
