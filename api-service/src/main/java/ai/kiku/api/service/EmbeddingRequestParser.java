package ai.kiku.api.service;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Validates an embeddings request and prices it: per request plus the most input tokens the provider
 * can bill, no output. Token-id arrays count exactly; a string counts its UTF-8 bytes (no tokenizer
 * makes more tokens than bytes, see {@link TokenBound}) plus {@value #PER_TEXT} for the special tokens
 * an embedding model may add around it.
 */
@ApplicationScoped
public class EmbeddingRequestParser {

    /** Special tokens (begin/end) an embedding model may add around each text. */
    public static final int PER_TEXT = 2;
    /** OpenAI's limit of inputs per request. */
    static final int MAX_INPUTS = 2048;
    static final int MAX_DIMENSIONS = 65536;

    private final ChatRequestParser common;

    public EmbeddingRequestParser(ChatRequestParser common) {
        this.common = common;
    }

    public ChatRequest parse(byte[] bytes, PriceList catalogue) {
        ObjectNode body = common.object(bytes);
        ChatRequestParser.Target target = common.target(body, false, catalogue, ProxyEndpoint.EMBEDDINGS);
        Inputs inputs = inputs(body.get("input"), "input");
        JsonNode format = body.get("encoding_format");
        if (!ChatRequestParser.absent(body, "encoding_format")
                && !(format.isTextual() && Set.of("float", "base64").contains(format.textValue()))) {
            throw ProblemException.badRequest("encoding_format", "encoding_format must be \"float\" or \"base64\"");
        }
        ChatRequestParser.limit(body, "dimensions", MAX_DIMENSIONS);
        long reserve;
        try {
            reserve = target.price().reservation(inputs.bound(), 0);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw ProblemException.badRequest("input", "request too large to price");
        }
        return new ChatRequest(body, target.model(), false, false, Math.min(inputs.bound(), inputs.estimate()),
                inputs.bound(), 0, 0, false, target.price(), target.routes(), reserve, ProxyEndpoint.EMBEDDINGS, null);
    }

    /** The most input tokens and the estimate of an {@code input}, which must be one of OpenAI's four forms. */
    record Inputs(long bound, long estimate) {
    }

    /** {@code input} of embeddings, or {@code prompt} of legacy completions (named {@code name}). */
    static Inputs inputs(JsonNode input, String name) {
        if (input == null || input.isNull()) {
            throw ProblemException.badRequest(name, name + " is required");
        }
        if (input.isTextual()) {
            return text(input, name);
        }
        if (!input.isArray() || input.isEmpty() || input.size() > MAX_INPUTS) {
            throw ProblemException.badRequest(name, name + " must be a non-empty string, or an array of at most "
                    + MAX_INPUTS + " strings, token ids or arrays of token ids");
        }
        if (input.get(0).isIntegralNumber()) {
            long tokens = tokens(input, name);
            return new Inputs(tokens, tokens);
        }
        long bound = 0;
        long estimate = 0;
        for (int i = 0; i < input.size(); i++) {
            JsonNode element = input.get(i);
            String field = name + "[" + i + "]";
            if (element.isTextual() && input.get(0).isTextual()) {
                Inputs one = text(element, field);
                bound += one.bound();
                estimate += one.estimate();
            } else if (element.isArray() && input.get(0).isArray()) {
                long tokens = tokens(element, field);
                bound += tokens;
                estimate += tokens;
            } else {
                throw ProblemException.badRequest(field, "every element of " + name + " must be a string, or every "
                        + "one an array of token ids");
            }
        }
        return new Inputs(bound, estimate);
    }

    private static Inputs text(JsonNode text, String field) {
        if (text.textValue().isEmpty()) {
            throw ProblemException.badRequest(field, field + " must not be empty");
        }
        long bytes = TokenEstimator.utf8Length(text.textValue());
        return new Inputs(bytes + PER_TEXT, TokenEstimator.ofBytes(bytes));
    }

    private static long tokens(JsonNode array, String field) {
        if (array.isEmpty()) {
            throw ProblemException.badRequest(field, field + " must not be empty");
        }
        for (JsonNode token : array) {
            if (!token.isIntegralNumber() || !token.canConvertToInt() || token.intValue() < 0) {
                throw ProblemException.badRequest(field, field + " must hold token ids: integers from 0");
            }
        }
        return array.size();
    }
}
