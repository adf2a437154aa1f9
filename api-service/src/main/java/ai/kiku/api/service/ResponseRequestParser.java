package ai.kiku.api.service;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Validates a Responses API request ({@code POST /v1/responses}) and prices it like chat: the input
 * bound over the whole body with {@code input} items framed as messages and image parts at the image
 * ceiling ({@link TokenBound}), the output bound {@code max_output_tokens} (reasoning included), else the
 * model's cap, which the gateway then sends. What would make the provider bill tokens that are not in the
 * body is refused, since no reservation could bound it: context stored at the provider
 * ({@code previous_response_id}, {@code conversation}, {@code prompt} templates, {@code item_reference}
 * items, files by {@code file_id}), hosted tools (web or file search, code interpreter...: only
 * {@code function} and {@code custom} tools pass) and {@code background} runs.
 */
@ApplicationScoped
public class ResponseRequestParser {

    private static final Set<String> STORED_CONTEXT = Set.of("previous_response_id", "conversation", "prompt");
    private static final Set<String> BOUNDED_TOOLS = Set.of("function", "custom");

    private final ChatRequestParser common;
    private final ApiConfig config;

    public ResponseRequestParser(ChatRequestParser common, ApiConfig config) {
        this.common = common;
        this.config = config;
    }

    public ChatRequest parse(byte[] bytes, PriceList catalogue) {
        ObjectNode body = common.object(bytes);
        ChatRequestParser.Target target = common.target(body, false, catalogue, ProxyEndpoint.RESPONSES);
        CallPrice price = target.price();
        validateInput(body.get("input"));
        for (String field : STORED_CONTEXT) {
            if (!ChatRequestParser.absent(body, field)) {
                throw ProblemException.badRequest(field, field + " refers to context stored at the provider, which "
                        + "cannot be priced here; send the whole conversation as input");
            }
        }
        if (ChatRequestParser.bool(body, "background")) {
            throw ProblemException.badRequest("background", "background responses are not supported here");
        }
        JsonNode instructions = body.get("instructions");
        if (instructions != null && !instructions.isNull() && !instructions.isTextual()) {
            throw ProblemException.badRequest("instructions", "instructions must be a string");
        }
        RequestTrees.requireToolTypes(body.get("tools"), BOUNDED_TOOLS, "function and custom tools");
        boolean stream = ChatRequestParser.bool(body, "stream");
        long maxOut = Math.min(price.maxOutputTokens(),
                ChatRequestParser.limit(body, "max_output_tokens", price.maxOutputTokens()));
        boolean sendCap = ChatRequestParser.absent(body, "max_output_tokens");
        TokenBound.Count count = TokenBound.count(body, "input");
        long imageTokens = config.imageTokens().getOrDefault(target.model(), config.defaultImageTokens());
        long inputBound;
        long inputEstimate;
        long reserve;
        try {
            inputBound = count.bound(imageTokens, price.maxOutputTokens());
            inputEstimate = Math.min(inputBound, count.estimate(imageTokens, price.maxOutputTokens()));
            reserve = price.reservation(inputBound, maxOut);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw ProblemException.badRequest("input", "request too large to price");
        }
        // usage comes inside the final event, which every client gets: nothing to strip
        return new ChatRequest(body, target.model(), stream, stream, inputEstimate, inputBound, maxOut, maxOut,
                sendCap, price, target.routes(), reserve, ProxyEndpoint.RESPONSES, null);
    }

    private static void validateInput(JsonNode input) {
        if (input == null || input.isNull()) {
            throw ProblemException.badRequest("input", "input is required");
        }
        if (input.isTextual()) {
            if (input.textValue().isEmpty()) {
                throw ProblemException.badRequest("input", "input must not be empty");
            }
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ProblemException.badRequest("input", "input must be a non-empty string or array of input items");
        }
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            String field = "input[" + i + "]";
            if (!item.isObject()) {
                throw ProblemException.badRequest(field, "each input item must be an object");
            }
            if ("item_reference".equals(item.path("type").asText())) {
                throw ProblemException.badRequest(field, "item references point at context stored at the provider, "
                        + "which cannot be priced here; send the item itself");
            }
            if (RequestTrees.mentions(item, "file_id")) {
                throw ProblemException.badRequest(field, "files and images by file_id cannot be priced here; send "
                        + "file_data or image_url");
            }
        }
    }
}
