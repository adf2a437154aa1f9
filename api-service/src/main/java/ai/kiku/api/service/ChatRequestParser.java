package ai.kiku.api.service;

import ai.kiku.api.provider.ProviderRegistry;
import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.provider.Route;
import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.error.JsonProblems;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.util.List;

/**
 * Validates a chat request (OpenAI's shape, or ours with an optional {@code provider}) and prices
 * its worst case. Everything a client can get wrong ends here in a 400 naming the field, before
 * any money is touched.
 */
@ApplicationScoped
public class ChatRequestParser {

    static final int MAX_N = 16;
    private final ObjectMapper mapper;
    private final ProviderRegistry providers;
    private final ApiConfig config;

    public ChatRequestParser(ObjectMapper mapper, ProviderRegistry providers, ApiConfig config) {
        this.mapper = mapper;
        this.providers = providers;
        this.config = config;
    }

    public ChatRequest parse(byte[] bytes, boolean ownShape, PriceList catalogue) {
        ObjectNode body = object(bytes);
        Target target = target(body, ownShape, catalogue, ProxyEndpoint.CHAT);
        String model = target.model();
        CallPrice price = target.price();
        List<Route> routes = target.routes();
        JsonNode messages = body.get("messages");
        validateMessages(messages);
        UnpricedFeatures.refuseIn(body);
        boolean stream = bool(body, "stream");
        boolean wantsUsage = wantsUsage(body, stream);
        long maxOut = price.maxOutputTokens();
        maxOut = Math.min(maxOut, limit(body, "max_tokens", price.maxOutputTokens()));
        maxOut = Math.min(maxOut, limit(body, "max_completion_tokens", price.maxOutputTokens()));
        boolean sendCap = absent(body, "max_tokens") && absent(body, "max_completion_tokens");
        long n = limit(body, "n", MAX_N);
        long choices = n == Long.MAX_VALUE ? 1 : n;
        // The bound is taken over the body as forwarded (provider removed, stream_options added).
        TokenBound.Count count = TokenBound.count(body);
        long imageTokens = config.imageTokens().getOrDefault(model, config.defaultImageTokens());
        long inputBound;
        long inputEstimate;
        long outputBound;
        long reserve;
        ChatRequest.OutputFlex flex = null;
        try {
            inputBound = count.bound(imageTokens, price.maxOutputTokens());
            inputEstimate = Math.min(inputBound, count.estimate(imageTokens, price.maxOutputTokens()));
            // rejected predicted tokens are billed as output, on top of max_tokens
            outputBound = CallPrice.outputBound(maxOut, count.predictionBytes(), choices);
            reserve = price.reservation(inputBound, outputBound);
            if (sendCap && price.outputPerMillionMicros() > 0) {
                // no cap from the client: a balance short of the model's maximum output gets a lower cap
                long minCap = Math.min(maxOut, Math.max(1, config.minOutputTokens()));
                long least = price.reservation(inputBound, CallPrice.outputBound(minCap, count.predictionBytes(), choices));
                if (least < reserve) {
                    flex = new ChatRequest.OutputFlex(least, minCap, count.predictionBytes(), choices);
                }
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw ProblemException.badRequest("messages", "request too large to price");
        }
        return new ChatRequest(body, model, stream, stream && wantsUsage, inputEstimate, inputBound, maxOut,
                outputBound, sendCap, price, routes, reserve, ProxyEndpoint.CHAT, flex);
    }

    /** The model a request names, its price and the providers to try: what every endpoint checks first. */
    record Target(String model, CallPrice price, List<Route> routes) {
    }

    /** The target of a request to {@code endpoint}: only providers speaking that endpoint's protocol are tried. */
    Target target(ObjectNode body, boolean ownShape, PriceList catalogue, ProxyEndpoint endpoint) {
        String model = text(body, "model");
        CallPrice price = catalogue.price(model);
        if (price == null) {
            throw GatewayProblems.modelNotFound(400, "unknown model '" + model + "'; GET /v1/models lists the models served");
        }
        List<Route> all = providers.routesForCall(model);
        List<Route> routes = all.stream().filter(r -> r.provider().serves(endpoint)).toList();
        if (routes.isEmpty() && !all.isEmpty()) {
            throw GatewayProblems.modelNotFound(400, "model '" + model + "' is not served on this endpoint here"
                    + (endpoint == ProxyEndpoint.MESSAGES ? "" : all.stream().allMatch(r -> r.provider()
                    .serves(ProxyEndpoint.MESSAGES)) ? "; it is served on /v1/messages (Anthropic's API)" : ""));
        }
        if (ownShape && body.has("provider") && !body.get("provider").isNull()) {
            String provider = text(body, "provider");
            if (!providers.has(provider)) {
                throw ProblemException.badRequest("provider", "unknown provider '" + provider + "'");
            }
            routes = routes.stream().filter(r -> r.provider().name().equals(provider)).toList();
            if (routes.isEmpty()) {
                throw ProblemException.badRequest("provider", "provider '" + provider + "' does not serve model '" + model + "'");
            }
        }
        if (ownShape) {
            body.remove("provider");
        }
        if (routes.isEmpty()) {
            throw GatewayProblems.modelNotFound(400, "no provider serves model '" + model + "' here");
        }
        return new Target(model, price, routes);
    }

    /**
     * Whether the client asked for the usage chunk of a stream; a stream is always asked for it upstream
     * (the relay strips it again when the client did not ask).
     */
    static boolean wantsUsage(ObjectNode body, boolean stream) {
        boolean wantsUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ProblemException.badRequest("stream_options", "must be an object");
            }
            JsonNode include = options.get("include_usage");
            if (include != null && !include.isNull() && !include.isBoolean()) {
                throw ProblemException.badRequest("stream_options.include_usage", "must be true or false");
            }
            wantsUsage = include != null && include.asBoolean(false);
        }
        if (stream) {
            // Always learn the real usage; the relay strips it again when the client did not ask.
            body.putObject("stream_options").put("include_usage", true);
        }
        return wantsUsage;
    }

    static boolean absent(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull();
    }

    ObjectNode object(byte[] bytes) {
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            // trailing garbage and repeated fields fail here too (StrictJsonSyntax): 400, nothing reserved
            throw JsonProblems.exception(e);
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "request body could not be read");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ProblemException.badRequest("body", "request body must be a JSON object");
        }
        return object;
    }

    static String text(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw ProblemException.badRequest(field, field + " is required");
        }
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > 256) {
            throw ProblemException.badRequest(field, field + " must be a non-empty string of at most 256 characters");
        }
        return value.asText();
    }

    static boolean bool(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ProblemException.badRequest(field, field + " must be true or false");
        }
        return value.asBoolean();
    }

    /** An optional positive integer no larger than {@code max}; Long.MAX_VALUE when absent. */
    static long limit(ObjectNode body, String field, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Long.MAX_VALUE;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1 || value.asLong() > max) {
            throw ProblemException.badRequest(field, field + " must be an integer from 1 to " + max);
        }
        return value.asLong();
    }

    private static void validateMessages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw ProblemException.badRequest("messages", "messages is required");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ProblemException.badRequest("messages", "messages must be a non-empty array");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw ProblemException.badRequest("messages[" + i + "]", "each message must be an object");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || role.asText().isBlank()) {
                throw ProblemException.badRequest("messages[" + i + "].role", "role is required");
            }
            JsonNode content = message.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw ProblemException.badRequest("messages[" + i + "].content", "content must be a string or an array of parts");
            }
        }
    }
}
