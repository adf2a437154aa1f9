package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The input bound covers every part of a body a provider may tokenize, at a token per byte. */
class TokenBoundTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) MAPPER.readTree(json);
    }

    private static long bound(String json) throws Exception {
        return TokenBound.count(body(json)).bound(TokenBound.DEFAULT_IMAGE_TOKENS, 4096);
    }

    @Test
    void shouldBoundByTheCompactJsonLengthOfTheWholeBody() throws Exception {
        String json = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"héllo 世界\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"tool_choice\":\"auto\",\"temperature\":0.5,\"n\":2,\"strict\":true,\"user\":null}";
        long bytes = json.getBytes(StandardCharsets.UTF_8).length;
        // every byte, + 3 per request, + 4 per message, + 8 per tool
        assertThat(bound(json)).isEqualTo(bytes + 3 + 4 + 8);
    }

    @Test
    void shouldCountLegacyFunctionsSchemasPredictionsAndAudioData() throws Exception {
        String big = "x".repeat(50_000);
        assertThat(bound("{\"messages\":[],\"functions\":[{\"name\":\"f\",\"description\":\"" + big + "\"}],"
                + "\"function_call\":{\"name\":\"f\"}}")).isGreaterThan(50_000);
        assertThat(bound("{\"messages\":[],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{\"description\":\""
                + big + "\"}}}}")).isGreaterThan(50_000);
        assertThat(bound("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\""
                + big + "\",\"format\":\"wav\"}}]}]}")).isGreaterThan(50_000);
        assertThat(bound("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_data\":\""
                + big + "\",\"filename\":\"a.pdf\"}}]}]}")).isGreaterThan(50_000);
        TokenBound.Count prediction = TokenBound.count(body("{\"messages\":[],\"prediction\":{\"type\":\"content\",\"content\":\""
                + big + "\"}}"));
        assertThat(prediction.predictionBytes()).isGreaterThan(50_000);
        assertThat(prediction.bound(0, 0)).isGreaterThan(50_000);
    }

    @Test
    void shouldCountImagesAtTheCeilingInsteadOfTheirBytes() throws Exception {
        String json = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                + "{\"url\":\"data:image/png;base64," + "A".repeat(100_000) + "\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\",\"detail\":\"low\"}}]}]}";
        TokenBound.Count count = TokenBound.count(body(json));
        assertThat(count.images()).isEqualTo(2);
        assertThat(count.bound(1445, 4096)).isBetween(2 * 1445L, 2 * 1445L + 200);
        assertThat(count.bound(48_169, 4096)).isGreaterThan(2 * 48_169L);
    }

    @Test
    void shouldCountAReplayedAudioAnswerAsOneWholeOutput() throws Exception {
        String json = "{\"messages\":[{\"role\":\"assistant\",\"audio\":{\"id\":\"audio_1\"}}]}";
        assertThat(bound(json)).isGreaterThan(4096);
    }

    @Test
    void shouldRefuseAFileByIdWhoseSizeCannotBeKnown() {
        assertThatThrownBy(() -> bound("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\","
                + "\"file\":{\"file_id\":\"file-1\"}}]}]}")).isInstanceOf(ProblemException.class);
    }

    @Test
    void shouldEstimateAThirdOfTheBoundForText() throws Exception {
        String json = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "y".repeat(3_000) + "\"}]}";
        TokenBound.Count count = TokenBound.count(body(json));
        assertThat(count.estimate(1445, 4096)).isLessThan(count.bound(1445, 4096) / 2);
    }
}
