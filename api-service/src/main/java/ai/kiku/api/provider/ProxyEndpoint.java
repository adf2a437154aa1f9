package ai.kiku.api.provider;

import ai.kiku.api.anthropic.AnthropicUsage;
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
    RESPONSES("/responses", "input_tokens", "output_tokens"),
    /** Anthropic's Messages API, served by providers of type {@code anthropic}. */
    MESSAGES("/messages", "input_tokens", "output_tokens");

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

    /** Whether streams end with {@code data: [DONE]}; the Responses and Messages APIs end with a terminal event instead. */
    public boolean endsWithDone() {
        return this != RESPONSES && this != MESSAGES;
    }

    /** Whether a stream event (its JSON) is the last one, held back until its call is charged. */
    public boolean isTerminal(JsonNode event) {
        String type = event.path("type").asText("");
        return this == RESPONSES ? RESPONSE_TERMINALS.contains(type) : this == MESSAGES && type.equals("message_stop");
    }

    /**
     * The usage known after a stream event: {@code previous} when the event carries none. Anthropic
     * reports usage in parts (input in message_start, cumulative output in each message_delta), so
     * there each part updates what came before; elsewhere an event's usage is the whole of it.
     */
    public JsonNode streamUsage(JsonNode previous, JsonNode event) {
        if (this == MESSAGES) {
            return AnthropicUsage.merge(previous, event);
        }
        JsonNode usage = this == RESPONSES ? event.path("response").get("usage") : event.get("usage");
        return usage != null && usage.isObject() ? usage : previous;
    }

    /**
     * A reported usage object in the units our prices are in: as reported, except Anthropic's, whose
     * cache writes and reads bill at other rates than plain input ({@link AnthropicUsage}).
     */
    public JsonNode chargeable(JsonNode usage) {
        return this == MESSAGES ? AnthropicUsage.chargeable(usage) : usage;
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
            case MESSAGES -> {
                JsonNode delta = event.path("delta");
                bytes += textBytes(delta.get("text")) + textBytes(delta.get("partial_json"))
                        + textBytes(delta.get("thinking"));
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
            case MESSAGES -> {
                for (JsonNode block : answer.path("content")) {
                    bytes += textBytes(block.get("text")) + textBytes(block.get("thinking"));
                    JsonNode input = block.get("input");
                    bytes += input == null ? 0 : TokenEstimator.utf8Length(input.toString());
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
