package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * {@code POST /v1/embeddings}: the built-in local-embed model and pass-through to providers, charged per
 * request plus the reported input tokens, never more than the input can make (token ids exactly, text
 * its UTF-8 bytes + 2). In the test catalogue input tokens cost 1 micro each (1 USD per million).
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class EmbeddingsTest extends ApiTestBase {

    @Test
    void shouldEmbedWithTheLocalModelAndChargeTheRequestPlusItsInputTokens() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = embed(key, "{\"model\":\"local-embed\",\"input\":\"hello world\"}");
        response.then().statusCode(200).body("object", equalTo("list")).body("data[0].object", equalTo("embedding"))
                .body("usage.prompt_tokens", equalTo(4));
        List<Float> vector = response.jsonPath().getList("data[0].embedding", Float.class);
        assertThat(vector).hasSize(256);
        assertThat(Math.sqrt(vector.stream().mapToDouble(v -> v * v).sum())).isCloseTo(1.0, within(1e-4));
        // 11 bytes = 4 tokens (the local model's count) at 1 micro each, plus 1,000 per request
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1004);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - 1004);
        assertThat(billing.held(key.accountId())).isZero();
        List<Float> again = embed(key, "{\"model\":\"local-embed\",\"input\":\"hello world\"}").jsonPath()
                .getList("data[0].embedding", Float.class);
        assertThat(again).as("deterministic").isEqualTo(vector);
    }

    @Test
    void shouldHonourDimensionsAndBase64ForEachInput() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = embed(key, "{\"model\":\"local-embed\",\"input\":[\"a\",\"b\"],\"dimensions\":8,"
                + "\"encoding_format\":\"base64\"}");
        response.then().statusCode(200).body("data.size()", equalTo(2)).body("data[1].index", equalTo(1));
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(response.jsonPath().getString("data[0].embedding")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.remaining()).isEqualTo(8 * 4);
        double norm = 0;
        while (bytes.hasRemaining()) {
            float v = bytes.getFloat();
            norm += v * v;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void shouldPassEmbeddingsThroughToTheProviderAndChargeItsReportedTokens() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int before = hits("alpha");
        Response response = embed(key, "{\"model\":\"stub-model\",\"input\":\"some text to embed\"}");
        response.then().statusCode(200).body("data[0].embedding", hasItem(0.8f)).body("usage.prompt_tokens", equalTo(3));
        assertThat(hits("alpha")).isEqualTo(before + 1);
        assertThat(lastBody("alpha")).contains("\"input\":\"some text to embed\"");
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1003);
        assertThat(billing.usageField(key.accountId(), response.header("X-Request-Id"), "out")).isEqualTo("0");
    }

    @Test
    void shouldChargeNoMoreThanTheTextCanMakeWhenTheProviderReportsMore() {
        TestKey key = billing.account(1_000_000, 60);
        // "abcdef" is 6 bytes: at most 6 + 2 tokens, whatever the provider says
        embed(key, "{\"model\":\"stub-model\",\"input\":\"abcdef\",\"user\":\"#usage=999999\"}").then().statusCode(200);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1008);
    }

    @Test
    void shouldCountTokenIdArraysExactly() {
        TestKey key = billing.account(1_000_000, 60);
        embed(key, "{\"model\":\"stub-model\",\"input\":[[1,2,3],[4,5]],\"user\":\"#usage=999\"}").then().statusCode(200);
        embed(key, "{\"model\":\"stub-model\",\"input\":[7,8,9,10],\"user\":\"#usage=999\"}").then().statusCode(200);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(1005, 1004);
    }

    @Test
    void shouldRefuseBadInputNamingTheFieldWithoutReservingOrCharging() {
        TestKey key = billing.account(1_000_000, 60);
        bad(key, "{\"model\":\"local-embed\"}", "input");
        bad(key, "{\"model\":\"local-embed\",\"input\":[]}", "input");
        bad(key, "{\"model\":\"local-embed\",\"input\":\"\"}", "input");
        bad(key, "{\"model\":\"local-embed\",\"input\":{\"text\":\"x\"}}", "input");
        bad(key, "{\"model\":\"local-embed\",\"input\":[\"a\",[1]]}", "input[1]");
        bad(key, "{\"model\":\"local-embed\",\"input\":[[1],[-2]]}", "input[1]");
        bad(key, "{\"model\":\"local-embed\",\"input\":[1,\"a\"]}", "input");
        bad(key, "{\"model\":\"local-embed\",\"input\":\"x\",\"encoding_format\":\"hex\"}", "encoding_format");
        bad(key, "{\"model\":\"local-embed\",\"input\":\"x\",\"dimensions\":0}", "dimensions");
        bad(key, "{\"input\":\"x\"}", "model");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldListTheLocalEmbeddingModel() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).get("/v1/models").then().statusCode(200).body("data.id", hasItem("local-embed"));
        as(key).get("/v1/models/local-embed").then().statusCode(200).body("id", equalTo("local-embed"));
    }

    private static Response embed(TestKey key, String body) {
        return as(key).contentType("application/json").body(body).post("/v1/embeddings");
    }

    private static void bad(TestKey key, String body, String param) {
        embed(key, body).then().statusCode(400).body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param));
    }
}
