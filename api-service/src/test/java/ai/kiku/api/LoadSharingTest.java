package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Providers of one model share its load by weight ({@code kiku.llm.routes."shared-model"=sharea@3,shareb@1})
 * and fall over to the others when the picked one fails; a provider's 429, in OpenAI's, Groq's or
 * OpenRouter's shape, makes the gateway try the next one, and when all are limited the client gets 503 in
 * OpenAI's shape with Retry-After, uncharged.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class LoadSharingTest extends ApiTestBase {

    @Test
    void shouldShareTheCallsOfAModelByTheWeightsOfItsProviders() throws Exception {
        TestKey key = billing.account(10_000_000, 100_000);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("shared-model", "#usage=20,1 share"))).build();
        int sharedABefore = hits("sharea");
        int sharedBBefore = hits("shareb");

        for (int i = 0; i < 1000; i++) {
            assertThat(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }

        int sharedA = hits("sharea") - sharedABefore;
        int sharedB = hits("shareb") - sharedBBefore;
        System.out.printf("1000 calls over sharea@3,shareb@1: sharea %d, shareb %d%n", sharedA, sharedB);
        assertThat(sharedA + sharedB).isEqualTo(1000);
        assertThat(sharedA).isBetween(720, 780);
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(1000);
    }

    @Test
    void shouldFallOverWhenThePickedProviderFails() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        int steadyBefore = hits("steady");
        int brokenBefore = hits("brokenshare");

        for (int i = 0; i < 8; i++) {
            as(key).contentType("application/json").body(chat("sharedfail-model", "hi")).post("/v1/chat/completions")
                    .then().statusCode(200).header("X-Kiku-Provider", "steady");
        }

        assertThat(hits("brokenshare") - brokenBefore).isEqualTo(6); // picked 3 times in 4, then fell over
        assertThat(hits("steady") - steadyBefore).isEqualTo(8);
        assertThat(billing.usageCosts(key.accountId())).hasSize(8).containsOnly(5020);
    }

    @Test
    void shouldFallOverPastEveryProviderThatAnswers429() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int[] before = {hits("limitedopenai"), hits("limitedgroq"), hits("limitedrouter")};

        as(key).contentType("application/json").body(chat("limited-model", "hi")).post("/v1/chat/completions")
                .then().statusCode(200).header("X-Kiku-Provider", "steady");

        assertThat(new int[]{hits("limitedopenai") - before[0], hits("limitedgroq") - before[1],
                hits("limitedrouter") - before[2]}).containsExactly(1, 1, 1);
        assertThat(billing.usageCosts(key.accountId())).containsExactly(5020);
    }

    @Test
    void shouldAnswer503InOpenAisShapeUnchargedWhenEveryProviderIsRateLimited() {
        TestKey key = billing.account(1_000_000, 60);

        Response response = as(key).contentType("application/json").body(chat("alllimited-model", "hi"))
                .post("/v1/chat/completions");

        response.then().statusCode(503).contentType("application/json")
                .body("error.type", equalTo("server_error")).body("error.code", equalTo("upstream_rate_limited"));
        assertThat(response.header("Retry-After")).isNotNull();
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }
}
