package ai.kiku.api.anthropic;

import ai.kiku.api.provider.Route;
import ai.kiku.api.service.CallPrice;
import ai.kiku.api.service.ChatRequest;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an Anthropic Messages request may be billed, and the features refused because their bill cannot be bounded. */
class AnthropicRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CallPrice PRICE = new CallPrice("claude", "llm", 1000, 3_000_000, 15_000_000, 8192);
    private static final List<Route> ROUTES = List.of(new Route(null, "claude-upstream"));

    private static ChatRequest parse(String json) throws Exception {
        return AnthropicRequests.parse((ObjectNode) JSON.readTree(json), PRICE, ROUTES);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "max_tokens | {\"model\":\"claude\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "max_tokens | {\"model\":\"claude\",\"max_tokens\":8193,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "messages | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[]}",
            "messages[0].role | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}",
            "tools[0].type | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}",
            "tools[0].type | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"computer_20250124\",\"name\":\"computer\"}]}",
            "mcp_servers | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"mcp_servers\":[{\"type\":\"url\",\"url\":\"https://x\"}]}",
            "messages[0].content[0].source | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0=\"}}]}]}",
            "messages[0].content[0].content[0].source | {\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x/a.pdf\"}}]}]}]}"})
    void shouldRefuseWhatCannotBePricedNamingTheField(String field, String json) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ProblemException.class)
                .satisfies(e -> assertThat(((ProblemException) e).problem().getExtensions().get("field")).isEqualTo(field));
    }

    @Test
    void shouldCountAnImageAsTheImageCeilingNotItsBase64Bytes() throws Exception {
        String data = "A".repeat(2_000_000);
        ChatRequest request = parse("{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + data + "\"}},"
                + "{\"type\":\"text\",\"text\":\"what is it?\"}]}]}");

        assertThat(request.inputBound()).isBetween((long) AnthropicRequests.IMAGE_TOKENS,
                AnthropicRequests.IMAGE_TOKENS + 300L);
        assertThat(request.outputBound()).isEqualTo(10);
    }

    @Test
    void shouldBoundACachedPromptAtTwiceItsTokensAndAddTheToolPrompt() throws Exception {
        String plain = "{\"model\":\"claude\",\"max_tokens\":10,\"system\":[{\"type\":\"text\",\"text\":\"%s\"%s}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String text = "x".repeat(10_000);
        long uncached = parse(plain.formatted(text, "")).inputBound();
        long cached = parse(plain.formatted(text, ",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}")).inputBound();
        long withTool = parse("{\"model\":\"claude\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\"}}]}").inputBound();

        assertThat(uncached).isGreaterThan(10_000);
        assertThat(cached).isGreaterThanOrEqualTo(2 * uncached);
        assertThat(withTool).isGreaterThan(AnthropicRequests.TOOLS_PROMPT);
    }

    @Test
    void shouldReserveTheWorstCaseOfInputAndMaxTokens() throws Exception {
        ChatRequest request = parse("{\"model\":\"claude\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(request.reserveMicros()).isEqualTo(PRICE.cost(request.inputBound(), 100));
        assertThat(request.sendOutputCap()).isFalse();
    }
}
