package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Inputs a fuzzer found to get a 5xx, a charge or a dropped connection from the gateway. */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class BadInputTest extends ApiTestBase {

    private static final String BIG = "a".repeat(20_000);

    @Test
    void shouldAnswerALargeFormLikeASmallOneOnBothProxyEndpoints() {
        TestKey key = billing.account(1_000_000, 600);
        for (String path : new String[]{"/v1/chat/completions", "/api/v1/proxy/llm"}) {
            // each endpoint in its own error shape: OpenAI's on /v1, problem+json on /api/v1
            boolean openAi = path.startsWith("/v1/");
            String type = openAi ? "application/json" : "application/problem+json";
            String field = openAi ? "error.param" : "field";
            for (String value : new String[]{"x", BIG}) {
                RestAssured.given().contentType("application/x-www-form-urlencoded").body("model=" + value)
                        .post(path).then().statusCode(401).contentType(startsWith(type));
                as(key).contentType("application/x-www-form-urlencoded").body("model=" + value)
                        .post(path).then().statusCode(400).contentType(startsWith(type))
                        .body(field, equalTo("Content-Type"));
                as(key).multiPart("model", value).post(path)
                        .then().statusCode(400).contentType(startsWith(type))
                        .body(field, equalTo("Content-Type"));
            }
        }
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    @Test
    void shouldRefuseAndNotChargeJsonWithTrailingGarbage() {
        TestKey key = billing.account(1_000_000, 600);
        for (String tail : new String[]{" x", "}", " {}", "]", " 1"}) {
            as(key).contentType("application/json").body(chat("local-echo", "hello") + tail)
                    .post("/v1/chat/completions").then().statusCode(400)
                    .contentType(startsWith("application/json")).body("error.param", equalTo("body"));
        }
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldRefuseJsonWithADuplicateFieldNamingIt() {
        TestKey key = billing.account(1_000_000, 600);
        as(key).contentType("application/json")
                .body("{\"model\":\"local-echo\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}")
                .post("/v1/chat/completions").then().statusCode(400)
                .contentType(startsWith("application/json")).body("error.param", equalTo("max_tokens"));
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    @Test
    void shouldAnswer431ToHeadersTooLargeForTheServer() throws Exception {
        RawHttp.assertHeadersTooLargeGet431(RestAssured.port, "/api/v1/ping");
    }

    @Test
    void shouldReadBearerCredentialsByTheSharedRule() {
        TestKey key = billing.account(1_000_000, 600);
        String secret = key.plaintext();
        for (String accepted : new String[]{"Bearer " + secret, "bearer " + secret, "BEARER " + secret,
                "Bearer  " + secret}) {
            RestAssured.given().header("Authorization", accepted).get("/api/v1/balance")
                    .then().statusCode(200);
        }
        for (String refused : new String[]{"Bearer\t" + secret, "Bearer \t" + secret, "Bearer " + secret + " x",
                "Bearer" + secret, "Basic " + secret, "Bearer ,"+ secret, "Bearer " + secret + ","}) {
            Response response = RestAssured.given().header("Authorization", refused).get("/api/v1/balance");
            assertThat(response.statusCode()).as(refused).isEqualTo(401);
        }
    }
}
