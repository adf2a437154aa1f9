package ai.kiku.api.service;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Validates a legacy completions request ({@code POST /v1/completions}) and prices it. The prompt
 * (a string, strings, token ids or token-id arrays) is bounded like embeddings' input; the output by
 * {@code max_tokens} per choice, for max({@code n}, {@code best_of}) choices of every prompt (the
 * provider bills every best_of candidate), plus, with {@code echo}, the prompt once more per choice.
 * Without {@code max_tokens} the gateway sends OpenAI's documented default, {@value #DEFAULT_MAX_TOKENS},
 * so no provider's own default can exceed what was reserved.
 */
@ApplicationScoped
public class CompletionRequestParser {

    /** OpenAI's default max_tokens of the legacy completions endpoint. */
    public static final int DEFAULT_MAX_TOKENS = 16;
    /** OpenAI's limit of best_of. */
    static final int MAX_BEST_OF = 20;

    private final ChatRequestParser common;

    public CompletionRequestParser(ChatRequestParser common) {
        this.common = common;
    }

    public ChatRequest parse(byte[] bytes, PriceList catalogue) {
        ObjectNode body = common.object(bytes);
        ChatRequestParser.Target target = common.target(body, false, catalogue, ProxyEndpoint.COMPLETIONS);
        CallPrice price = target.price();
        JsonNode prompt = body.get("prompt");
        if (prompt == null || prompt.isNull()) {
            throw ProblemException.badRequest("prompt", "prompt is required");
        }
        EmbeddingRequestParser.Inputs prompts = EmbeddingRequestParser.inputs(prompt, "prompt");
        long promptCount = prompt.isArray() && !prompt.get(0).isIntegralNumber() ? prompt.size() : 1;
        JsonNode suffix = body.get("suffix");
        long suffixBytes = 0;
        if (suffix != null && !suffix.isNull()) {
            if (!suffix.isTextual()) {
                throw ProblemException.badRequest("suffix", "suffix must be a string");
            }
            suffixBytes = TokenEstimator.utf8Length(suffix.textValue());
        }
        boolean stream = ChatRequestParser.bool(body, "stream");
        boolean wantsUsage = ChatRequestParser.wantsUsage(body, stream);
        boolean echo = ChatRequestParser.bool(body, "echo");
        boolean sendCap = ChatRequestParser.absent(body, "max_tokens");
        long maxOut = sendCap ? Math.min(DEFAULT_MAX_TOKENS, price.maxOutputTokens()) : tokens(body, price);
        long n = ChatRequestParser.limit(body, "n", ChatRequestParser.MAX_N);
        long bestOf = ChatRequestParser.limit(body, "best_of", MAX_BEST_OF);
        n = n == Long.MAX_VALUE ? 1 : n;
        if (bestOf != Long.MAX_VALUE && bestOf < n) {
            throw ProblemException.badRequest("best_of", "best_of must be at least n");
        }
        long choices = Math.max(n, bestOf == Long.MAX_VALUE ? 1 : bestOf);
        long inputBound;
        long outputBound;
        long reserve;
        try {
            inputBound = Math.addExact(prompts.bound(), suffixBytes);
            long perChoice = Math.multiplyExact(promptCount, maxOut);
            if (echo) {
                perChoice = Math.addExact(perChoice, prompts.bound());
            }
            outputBound = Math.multiplyExact(perChoice, choices);
            reserve = price.reservation(inputBound, outputBound);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw ProblemException.badRequest("prompt", "request too large to price");
        }
        long inputEstimate = Math.min(inputBound, prompts.estimate() + TokenEstimator.ofBytes(suffixBytes));
        return new ChatRequest(body, target.model(), stream, stream && wantsUsage, inputEstimate, inputBound, maxOut,
                outputBound, sendCap, price, target.routes(), reserve, ProxyEndpoint.COMPLETIONS, null);
    }

    /** max_tokens: 0 (with echo, for the prompt's logprobs) up to the model's cap. */
    private static long tokens(ObjectNode body, CallPrice price) {
        JsonNode value = body.get("max_tokens");
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0
                || value.asLong() > price.maxOutputTokens()) {
            throw ProblemException.badRequest("max_tokens", "max_tokens must be an integer from 0 to "
                    + price.maxOutputTokens());
        }
        return value.asLong();
    }
}
