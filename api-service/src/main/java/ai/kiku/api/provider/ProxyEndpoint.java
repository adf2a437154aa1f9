package ai.kiku.api.provider;

import ai.kiku.api.service.TokenEstimator;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * The OpenAI wire protocols the metered proxy speaks, one per endpoint: where the upstream serves it,
 * which field caps its output, where its answers and stream events report usage and text, and how its
 * streams end. Everything else (reserve, fallback, settle, relay) is one path for all of them.
 */
public enum ProxyEndpoint {

    CHAT("/chat/completions", "prompt_tokens", "completion_tokens"),
    COMPLETIONS("/completions", "prompt_tokens", "completion_tokens"),
    EMBEDDINGS("/embeddings", "prompt_tokens", null),
    RESPONSES("/responses", "input_tokens", "output_tokens");

    /** Stream events of the Responses API after which nothing more comes (they carry the final usage). */
    private static final Set<String> RESPONSE_TERMINALS = Set.of("response.completed", "response.incomplete",
            "response.failed");

    private final String path;
    private final String inputField;
    private final String outputField;

    ProxyEndpoint(String path, String inputField, String outputField) {
        this.path = path;
        this.inputField = inputField;
        this.outputField = outputField;
    }

    /** The path under a provider's base URL, e.g. {@code /embeddings}. */
    public String path() {
        return path;
    }

    /** The usage field counting input tokens. */
    public String inputField() {
        return inputField;
    }

    /** The usage field counting output tokens; null when the endpoint makes none (embeddings). */
    public String outputField() {
        return outputField;
    }

    /** The request field the gateway sets to cap the output at {@code provider} when the client set none. */
    public String outputCapField(ChatProvider provider) {
        return switch (this) {
            case CHAT -> provider.outputCapField();
            case RESPONSES -> "max_output_tokens";
            default -> "max_tokens";
        };
    }

    /** Whether streams end with {@code data: [DONE]}; the Responses API ends with a terminal event instead. */
    public boolean endsWithDone() {
        return this != RESPONSES;
    }

    /** Whether a stream event (its JSON) is the last one, held back until its call is charged. */
    public boolean isTerminal(JsonNode event) {
        return this == RESPONSES && RESPONSE_TERMINALS.contains(event.path("type").asText(""));
    }

    /** The usage object of a stream event, or null when it carries none. */
    public JsonNode streamUsage(JsonNode event) {
        JsonNode usage = this == RESPONSES ? event.path("response").get("usage") : event.get("usage");
        return usage != null && usage.isObject() ? usage : null;
    }

    /** UTF-8 bytes of output text in one stream event (for the estimate when no usage comes). */
    public long streamOutputBytes(JsonNode event) {
        long bytes = 0;
        switch (this) {
            case CHAT -> {
                for (JsonNode choice : event.path("choices")) {
                    JsonNode delta = choice.path("delta");
                    bytes += textBytes(delta.get("content"));
                    for (JsonNode toolCall : delta.path("tool_calls")) {
                        bytes += textBytes(toolCall.path("function").get("arguments"));
                    }
                }
            }
            case COMPLETIONS -> {
                for (JsonNode choice : event.path("choices")) {
                    bytes += textBytes(choice.get("text"));
                }
            }
            case RESPONSES -> {
                String type = event.path("type").asText("");
                if (type.endsWith(".delta")) {
                    bytes += textBytes(event.get("delta"));
                }
            }
            default -> {
            }
        }
        return bytes;
    }

    /** Estimated output tokens of a whole answer that reported no usage. */
    public long answerOutputTokens(JsonNode answer) {
        long bytes = 0;
        switch (this) {
            case CHAT -> {
                long tokens = 0;
                for (JsonNode choice : answer.path("choices")) {
                    tokens += TokenEstimator.tokens(choice.path("message").path("content").asText(""));
                }
                return tokens;
            }
            case COMPLETIONS -> {
                for (JsonNode choice : answer.path("choices")) {
                    bytes += textBytes(choice.get("text"));
                }
            }
            case RESPONSES -> {
                for (JsonNode item : answer.path("output")) {
                    bytes += textBytes(item.get("arguments"));
                    for (JsonNode part : item.path("content")) {
                        bytes += textBytes(part.get("text"));
                    }
                }
            }
            default -> {
            }
        }
        return TokenEstimator.ofBytes(bytes);
    }

    private static long textBytes(JsonNode value) {
        return value != null && value.isTextual() ? TokenEstimator.utf8Length(value.textValue()) : 0;
    }
}
