package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Fields that make OpenAI bill beyond the priced tokens (priority tier, web search, audio output)
 * are refused with a 400 naming the field: nothing reaches the provider and nothing is charged.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class UnpricedFeaturesTest extends ApiTestBase {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "service_tier | \"service_tier\":\"priority\"",
            "service_tier | \"service_tier\":\"scale\"",
            "web_search_options | \"web_search_options\":{}",
            "audio | \"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}",
            "modalities | \"modalities\":[\"text\",\"audio\"]"})
    void shouldRefuseFeaturesBilledAboveThePriceList(String field, String member) throws Exception {
        TestKey key = billing.account(10_000_000, 600);
        int alphaBefore = hits("alpha");
        int betaBefore = hits("beta");
        String body = "{\"model\":\"stub-model\",\"max_tokens\":50," + member
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then()
                .statusCode(400).body("error.param", equalTo(field)).body("error.type", equalTo("invalid_request_error"));

        assertThat(hits("alpha") + hits("beta")).isEqualTo(alphaBefore + betaBefore);
        assertThat(billing.balance(key.accountId())).isEqualTo(10_000_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"flex | \"service_tier\":\"flex\"", "auto | \"service_tier\":\"auto\"",
            "text only | \"modalities\":[\"text\"]"})
    void shouldPassTiersAndModalitiesThatCostNoMore(String name, String member) {
        TestKey key = billing.account(10_000_000, 600);
        String body = "{\"model\":\"stub-model\",\"max_tokens\":50," + member
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);
    }
}
