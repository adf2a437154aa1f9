package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;

/**
 * Pins the two error shapes by path: OpenAI's {@code {"error":{message,type,param,code}}} on
 * {@code /v1/*}, problem+json on {@code /api/v1/*}; and {@code GET /v1/models/{id}}.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class ErrorShapeTest extends ApiTestBase {

    @Test
    void shouldAnswerEveryV1ErrorWithExactlyOpenAisFourMembers() {
        TestKey key = billing.account(1_000_000, 60);
        Response response = as(key).contentType("application/json")
                .body("{\"model\":\"local-echo\",\"messages\":[]}").post("/v1/chat/completions");
        response.then().statusCode(400).contentType("application/json");
        assertThat(response.jsonPath().getMap("")).containsOnlyKeys("error");
        Map<String, Object> error = response.jsonPath().getMap("error");
        assertThat(error).containsOnlyKeys("message", "type", "param", "code")
                .containsEntry("message", "messages must be a non-empty array")
                .containsEntry("type", "invalid_request_error")
                .containsEntry("param", "messages")
                .containsEntry("code", null);
    }

    @Test
    void shouldAnswerAMissingKeyOnV1WithInvalidApiKeyAndANullParam() {
        for (String path : new String[]{"/v1/models", "/v1/models/local-echo"}) {
            RestAssured.get(path).then().statusCode(401).contentType("application/json")
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.code", equalTo("invalid_api_key"))
                    .body("error", hasKey("param")).body("error.param", nullValue())
                    .body("error.message", containsString("API key"));
        }
        RestAssured.given().contentType("application/json").body(chat("local-echo", "hi"))
                .post("/v1/chat/completions").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void shouldKeepProblemJsonOnTheOwnApi() {
        RestAssured.get("/api/v1/balance").then().statusCode(401).contentType("application/problem+json")
                .body("status", equalTo(401)).body("error", nullValue());
        TestKey poor = billing.account(500, 60);
        as(poor).contentType("application/json").body(chat("local-echo", "hi")).post("/api/v1/proxy/llm")
                .then().statusCode(402).contentType("application/problem+json")
                .body("type", equalTo("https://kiku.ai/problems/insufficient-funds"))
                .body("requiredMicros", equalTo(1000)).body("availableMicros", equalTo(500));
        as(poor).contentType("application/json").body(chat("no-such-model", "hi")).post("/api/v1/proxy/llm")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("model"));
        RestAssured.get("/api/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void shouldNameTheAmountsOfA402InTheMessageAndBesideIt() {
        TestKey key = billing.account(500, 60);
        as(key).contentType("application/json").body(chat("local-echo", "hi")).post("/v1/chat/completions")
                .then().statusCode(402).contentType("application/json")
                .body("error.type", equalTo("insufficient_quota")).body("error.code", equalTo("insufficient_quota"))
                .body("error.message", containsString("0.001000 USD"))
                .body("error.message", containsString("0.000500 USD"))
                .body("error.requiredMicros", equalTo(1000)).body("error.availableMicros", equalTo(500));
        assertThat(billing.balance(key.accountId())).isEqualTo(500);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldAnswerAnUnknownV1PathWithAPlainNotFound() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).get("/v1/nothing-here").then().statusCode(404).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error")).body("error.code", nullValue());
        as(key).get("/v1/chat/completions").then().statusCode(404).contentType("application/json");
    }

    @Test
    void shouldServeOneModelAsOpenAisModelObjectWithoutCharging() {
        TestKey key = billing.account(1_000_000, 60);
        as(key).get("/v1/models/local-echo").then().statusCode(200).contentType("application/json")
                .body("id", equalTo("local-echo")).body("object", equalTo("model"))
                .body("created", equalTo(0)).body("owned_by", equalTo("local"));
        for (String unknown : new String[]{"no-such-model", "unserved-model", "a%2Fb", "%zz"}) {
            as(key).get("/v1/models/" + unknown).then().statusCode(404).contentType("application/json")
                    .body("error.code", equalTo("model_not_found")).body("error.param", equalTo("model"));
        }
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }
}
