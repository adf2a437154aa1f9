package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.equalTo;

/** Anthropic's {@code x-api-key} header is accepted as the KikuAI key (what the Anthropic SDKs send). */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class ApiKeyHeaderTest extends ApiTestBase {

    @Test
    void shouldAcceptTheKeyInXApiKey() {
        TestKey key = billing.account(5_000_000, 600);

        RestAssured.given().header("x-api-key", key.plaintext()).get("/api/v1/balance").then()
                .statusCode(200).body("balanceMicros", equalTo(5_000_000));
        RestAssured.given().header("x-api-key", key.plaintext()).contentType("application/json")
                .body("{\"model\":\"stub-model\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
    }

    @Test
    void shouldRefuseAWrongXApiKeyAndLetAuthorizationWinOverIt() {
        TestKey key = billing.account(5_000_000, 600);

        RestAssured.given().header("x-api-key", key.plaintext() + "x").get("/api/v1/balance").then().statusCode(401);
        RestAssured.given().header("x-api-key", key.plaintext()).header("Authorization", "Bearer kiku_live_wrong")
                .get("/api/v1/balance").then().statusCode(401);
    }
}
