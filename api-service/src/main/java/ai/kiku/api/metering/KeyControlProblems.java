package ai.kiku.api.metering;

import ai.kiku.api.http.Replies;
import ai.kiku.api.service.ChatRequest;
import ai.kiku.api.service.KeyResolver;
import ai.kiku.common.error.Problem;
import ai.kiku.common.money.Micros;
import ai.kiku.common.money.ReserveResult;
import io.vertx.ext.web.RoutingContext;

/**
 * The answers to a reservation one of the key's own controls refused (docs/key-controls.md): an
 * expired key as an invalid one (401), a model outside its list 403 naming {@code model}, its
 * tokens-per-minute limit 429 with Retry-After, its spend caps 402 (OpenAI's insufficient_quota, which
 * SDKs do not retry, unlike 429).
 */
final class KeyControlProblems {

    private KeyControlProblems() {
    }

    static void refuse(RoutingContext ctx, Replies replies, ChatRequest request, ReserveResult result) {
        long resetSeconds = Math.max(1, (result.rateResetMillis() + 999) / 1000);
        switch (result.outcome()) {
            case KEY_EXPIRED -> replies.failure(ctx, KeyResolver.expired());
            case MODEL_NOT_ALLOWED -> replies.problem(ctx, new Problem("https://kiku.ai/problems/model-not-allowed",
                    "Forbidden", 403, "this API key may not use the model " + request.model())
                    .with("field", "model"));
            case TOKEN_RATE_LIMITED -> tokens(ctx, replies, request, result, resetSeconds);
            case SPEND_CAP_REACHED -> cap(ctx, replies, request, result, "spend cap");
            case MONTHLY_SPEND_CAP_REACHED -> cap(ctx, replies, request, result, "monthly spend cap");
            default -> throw new IllegalArgumentException("not a key control: " + result.outcome());
        }
    }

    private static void tokens(RoutingContext ctx, Replies replies, ChatRequest request, ReserveResult result,
                               long resetSeconds) {
        long bound = request.inputBound() + request.outputBound();
        long limit = result.controlLimit();
        String detail = bound > limit
                ? "this request may use up to " + bound + " tokens, more than this key's limit of " + limit
                        + " tokens per minute; lower max_tokens or the input"
                : "this key's limit of " + limit + " tokens per minute is used up (" + result.controlUsed()
                        + " counted this minute, this request may use up to " + bound + "); retry in "
                        + resetSeconds + " s";
        ctx.response().putHeader("Retry-After", Long.toString(resetSeconds));
        replies.problem(ctx, new Problem("https://kiku.ai/problems/token-rate-limited", "Too Many Requests", 429,
                detail).with("limit", limit).with("used", result.controlUsed()).with("requested", bound));
    }

    private static void cap(RoutingContext ctx, Replies replies, ChatRequest request, ReserveResult result,
                            String which) {
        long cap = result.controlLimit();
        long used = result.controlUsed();
        long required = request.reserveMicros();
        replies.problem(ctx, new Problem("https://kiku.ai/problems/spend-cap-reached", "Payment Required", 402,
                "this API key's " + which + " of " + Micros.format(cap) + " USD would be exceeded: "
                        + Micros.format(used) + " USD is used (spent and held) and this request may cost up to "
                        + Micros.format(required) + " USD; raise the cap or lower max_tokens")
                .with("capMicros", cap).with("usedMicros", used).with("requiredMicros", required)
                .with("cap", which.startsWith("monthly") ? "monthly" : "total"));
    }
}
