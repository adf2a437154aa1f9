package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What OpenAI's SDKs send reaches the provider unchanged (issue 15, "Pass-through"): tools and function calling,
 * JSON mode and JSON schema, vision by URL and by base64, {@code stream_options.include_usage}, sampling fields.
 * With {@code max_tokens} given, the gateway adds nothing; each call is still charged.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class PassThroughTest extends ApiTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIXEL = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // tools and function calling, a forced choice, parallel calls off
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"}],"
                    + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"current weather\","
                    + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]},"
                    + "\"strict\":true}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
                    + "\"parallel_tool_calls\":false}",
            // a tool result sent back: assistant tool_calls and a tool message
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                    + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 C, sunny\"}]}",
            // JSON mode
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"messages\":[{\"role\":\"system\",\"content\":\"answer in JSON\"},"
                    + "{\"role\":\"user\",\"content\":\"a colour\"}],\"response_format\":{\"type\":\"json_object\"}}",
            // structured output with a JSON schema, and sampling fields
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"temperature\":0.2,\"top_p\":0.9,\"seed\":42,\"user\":\"u-7\","
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"a colour\"}],\"response_format\":{\"type\":\"json_schema\","
                    + "\"json_schema\":{\"name\":\"colour\",\"strict\":true,\"schema\":{\"type\":\"object\","
                    + "\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"],\"additionalProperties\":false}}}}",
            // vision: an image by URL and one inline as base64
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"text\",\"text\":\"what is in these?\"},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\",\"detail\":\"low\"}},"
                    + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + "PIXEL" + "\"}}]}]}",
            // a stream asking for the usage chunk
            "{\"model\":\"stub-model\",\"max_tokens\":50,\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"})
    void shouldPassTheRequestToTheProviderUnchangedAndChargeIt(String template) throws Exception {
        String body = template.replace("PIXEL", PIXEL);
        TestKey key = billing.account(10_000_000, 600);

        int alphaBefore = hits("alpha");

        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);

        // stub-model is served by alpha, or by beta while an earlier test left alpha's circuit open
        String provider = hits("alpha") > alphaBefore ? "alpha" : "beta";
        assertThat(JSON.readTree(lastBody(provider))).isEqualTo(JSON.readTree(body));
        assertThat(billing.balance(key.accountId())).isLessThan(10_000_000);
    }
}
