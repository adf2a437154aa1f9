package ai.kiku.api.service;

import ai.kiku.common.money.Micros;

/** What one call of a model costs: per request (from its product) plus per million tokens in and out. */
public record CallPrice(String model, String productId, long perRequestMicros, long inputPerMillionMicros,
                         long outputPerMillionMicros, int maxOutputTokens) {

    /** Exact cost of a call that used these many tokens; token parts round up to a whole micro. */
    public long cost(long inputTokens, long outputTokens) {
        return Math.addExact(perRequestMicros, Math.addExact(
                Micros.perMillionTokens(inputTokens, inputPerMillionMicros),
                Micros.perMillionTokens(outputTokens, outputPerMillionMicros)));
    }

    /**
     * The hold to reserve for a call bounded by these token counts: its greatest possible cost. A bound too
     * large to price throws (ArithmeticException on overflow, IllegalArgumentException above
     * {@link Micros#MAX_AMOUNT}); the caller answers 400 and reserves nothing.
     */
    public long reservation(long inputBound, long outputBound) {
        return Micros.requireInRange(cost(inputBound, outputBound));
    }

    /**
     * The most output tokens a call can be billed: {@code maxOut} per choice, plus the rejected predicted
     * tokens (billed as output; at most one per byte) per choice. Throws ArithmeticException on overflow.
     */
    public static long outputBound(long maxOut, long predictionBytes, long choices) {
        return Math.multiplyExact(Math.addExact(maxOut, predictionBytes), choices);
    }
}
