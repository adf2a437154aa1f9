package ai.kiku.api.anthropic;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.provider.Route;
import ai.kiku.api.service.CallPrice;
import ai.kiku.api.service.ChatRequest;
import ai.kiku.api.service.RequestTrees;
import ai.kiku.api.service.TokenBound;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * Validates an Anthropic Messages request and prices its worst case, as {@code ChatRequestParser}
 * does for OpenAI's shape. What the provider may bill must follow from the body, so the features
 * whose bill does not are refused with a 400 naming the field, before any money is touched: server
 * tools and Anthropic-defined tools (per-use fees, hidden system prompts of up to ~1,200 tokens),
 * MCP servers and containers, and documents the provider fetches or renders page by page (a small
 * PDF can bill thousands of tokens a page). Images count as Anthropic's image ceiling; a prompt
 * that uses caching is bounded at twice its tokens (a 1-hour cache write bills 2x, see
 * {@link AnthropicUsage}). Tools add the tool-use system prompt Anthropic inserts (at most ~350
 * tokens on current models; {@value #TOOLS_PROMPT} reserved).
 */
public final class AnthropicRequests {

    /** The most input tokens Anthropic's tool-use system prompt adds, with room to spare. */
    static final int TOOLS_PROMPT = 600;
    /** Anthropic scales images to at most ~1.15 megapixels: about 1,600 tokens (width x height / 750). */
    public static final int IMAGE_TOKENS = 1600;

    private static final Set<String> REFUSED_FIELDS = Set.of("mcp_servers", "container");
    private static final Set<String> ROLES = Set.of("user", "assistant");
    /** Tools the client runs itself: without a type, or {@code custom}. */
    private static final Set<String> CLIENT_TOOLS = Set.of("", "custom");

    private AnthropicRequests() {
    }

    /** The validated, priced request; {@code routes} are the Anthropic providers serving the model. */
    public static ChatRequest parse(ObjectNode body, CallPrice price, List<Route> routes) {
        String model = body.path("model").asText();
        for (String field : REFUSED_FIELDS) {
            if (body.hasNonNull(field)) {
                throw ProblemException.badRequest(field, field + " is not offered here: its cost cannot be priced "
                        + "before the call");
            }
        }
        JsonNode maxTokens = body.get("max_tokens");
        if (maxTokens == null || maxTokens.isNull()) {
            throw ProblemException.badRequest("max_tokens", "max_tokens is required");
        }
        if (!maxTokens.isIntegralNumber() || !maxTokens.canConvertToLong() || maxTokens.asLong() < 1
                || maxTokens.asLong() > price.maxOutputTokens()) {
            throw ProblemException.badRequest("max_tokens", "max_tokens must be an integer from 1 to "
                    + price.maxOutputTokens());
        }
        validateMessages(body.get("messages"));
        RequestTrees.requireToolTypes(body.get("tools"), CLIENT_TOOLS, "custom tools");
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw ProblemException.badRequest("stream", "stream must be true or false");
        }
        boolean streamed = stream != null && stream.asBoolean(false);
        long outputBound = maxTokens.asLong();
        TokenBound.Count count = TokenBound.count(body);
        long inputBound;
        long inputEstimate;
        long reserve;
        try {
            long prompt = count.bound(IMAGE_TOKENS, outputBound);
            long estimate = count.estimate(IMAGE_TOKENS, outputBound);
            if (body.hasNonNull("tools")) {
                prompt = Math.addExact(prompt, TOOLS_PROMPT);
                estimate = Math.addExact(estimate, TOOLS_PROMPT);
            }
            inputBound = RequestTrees.mentions(body, "cache_control") ? Math.multiplyExact(prompt, 2) : prompt;
            inputEstimate = Math.min(inputBound, estimate);
            reserve = price.reservation(inputBound, outputBound);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw ProblemException.badRequest("messages", "request too large to price");
        }
        // Anthropic streams always carry usage (message_start, message_delta): the client sees it as sent
        return new ChatRequest(body, model, streamed, true, inputEstimate, inputBound, outputBound, outputBound,
                false, price, routes, reserve, ProxyEndpoint.MESSAGES, null);
    }

    private static void validateMessages(JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ProblemException.badRequest("messages", "messages must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject()) {
                throw ProblemException.badRequest(at, "each message must be an object");
            }
            if (!ROLES.contains(message.path("role").asText(""))) {
                throw ProblemException.badRequest(at + ".role", "role must be user or assistant");
            }
            JsonNode content = message.get("content");
            if (content == null || !(content.isTextual() || content.isArray())) {
                throw ProblemException.badRequest(at + ".content", "content must be a string or an array of blocks");
            }
            if (content.isArray()) {
                blocks(content, at + ".content");
            }
        }
    }

    /** Content blocks, nested ones (tool results) included. */
    private static void blocks(JsonNode blocks, String at) {
        for (int j = 0; j < blocks.size(); j++) {
            JsonNode block = blocks.get(j);
            String here = at + "[" + j + "]";
            if (!block.isObject() || !block.path("type").isTextual()) {
                throw ProblemException.badRequest(here, "each content block must be an object with a type");
            }
            String type = block.get("type").asText();
            if (type.equals("document")) {
                String source = block.path("source").path("type").asText("");
                if (!source.equals("text") && !source.equals("content")) {
                    throw ProblemException.badRequest(here + ".source", "only text documents are offered here: a "
                            + source + " document is billed per rendered page, which cannot be priced before the call");
                }
            } else if (type.equals("container_upload")) {
                throw ProblemException.badRequest(here, "container uploads are not offered here");
            }
            JsonNode nested = block.get("content");
            if (nested != null && nested.isArray()) {
                blocks(nested, here + ".content");
            }
        }
    }
}
