package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.common.contract.ProblemTypes;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An expired key is refused on the endpoints that only look the key up (models, products, usage) as the
 * metered ones refuse it (docs/key-controls.md), also when it expires while its lookup is cached.
 */
@QuarkusTest
@TestProfile(ExpiredKeyTest.LongKeyCache.class)
@WithTestResource(ApiTestResource.class)
class ExpiredKeyTest extends ApiTestBase {

    /** The OpenAI-shaped endpoints. */
    private static final List<String> OPENAI = List.of("/v1/models", "/v1/models/local-echo");

    /** Our own API's endpoints that run no money script. */
    private static final List<String> OWN = List.of("/api/v1/products", "/api/v1/usage", "/api/v1/usage/requests",
            "/api/v1/usage/export");

    /**
     * Lookups trusted for a minute rather than ~100 ms: a key looked up once is then answered from the cache
     * for the rest of a test, so a refusal after its expiry can only come from checking the cached entry.
     */
    public static class LongKeyCache implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.api.auth-cache-ttl", "60s", "kiku.api.rechecked-key-ttl", "60s");
        }
    }

    @Test
    void shouldRefuseAnExpiredKeyOnEveryLookupOnlyEndpointAsAnInvalidOne() {
        TestKey expired = billing.account(1_000_000, 60);
        billing.controls(expired, 60, null, null, null, Instant.now().minusSeconds(60).toEpochMilli());
        TestKey valid = billing.key(expired.accountId(), 60);
        billing.controls(valid, 60, null, null, null, Instant.now().plusSeconds(3600).toEpochMilli());

        for (String path : OPENAI) {
            assertRefusedOnOpenAiApi(expired, path);
            assertThat(as(valid).get(path).statusCode()).as(path).isEqualTo(200);
        }
        for (String path : OWN) {
            assertRefusedOnOwnApi(expired, path);
        }
        assertThat(as(valid).get("/api/v1/products").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAKeyThatExpiresWhileItsLookupIsCachedFromItsExpiryOn() throws InterruptedException {
        // The first calls after the service starts can take seconds: make them with another key, so that
        // this key's calls are surely made before its expiry.
        TestKey warm = billing.account(1_000_000, 60);
        assertThat(as(warm).get("/v1/models").statusCode()).isEqualTo(200);
        assertThat(as(warm).get("/api/v1/products").statusCode()).isEqualTo(200);
        TestKey key = billing.key(warm.accountId(), 60);
        long expiresAt = Instant.now().plusMillis(3000).toEpochMilli();
        billing.controls(key, 60, null, null, null, expiresAt);

        assertThat(as(key).get("/v1/models").statusCode()).isEqualTo(200); // looked up, and cached for a minute
        assertThat(as(key).get("/api/v1/products").statusCode()).isEqualTo(200);
        assertThat(System.currentTimeMillis()).as("both calls answered before the expiry").isLessThan(expiresAt);
        // Redis runs on this machine: its clock, which decides, is this one
        Thread.sleep(Math.max(0, expiresAt - System.currentTimeMillis()) + 20);

        assertRefusedOnOpenAiApi(key, "/v1/models");
        assertRefusedOnOwnApi(key, "/api/v1/products");
    }

    private static void assertRefusedOnOpenAiApi(TestKey key, String path) {
        Response response = as(key).get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(401);
        assertThat(response.contentType()).as(path).startsWith("application/json");
        Map<String, Object> error = response.jsonPath().getMap("error");
        assertThat(error).as(path).containsEntry("type", "invalid_request_error")
                .containsEntry("code", "invalid_api_key").containsEntry("param", null);
        assertThat((String) error.get("message")).as(path).contains("expired");
    }

    private static void assertRefusedOnOwnApi(TestKey key, String path) {
        Response response = as(key).get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(401);
        assertThat(response.contentType()).as(path).isEqualTo("application/problem+json");
        assertThat(response.jsonPath().getString("type")).as(path).isEqualTo(ProblemTypes.UNAUTHORIZED);
        assertThat(response.jsonPath().getInt("status")).as(path).isEqualTo(401);
        assertThat(response.jsonPath().getString("detail")).as(path).contains("expired");
    }
}
