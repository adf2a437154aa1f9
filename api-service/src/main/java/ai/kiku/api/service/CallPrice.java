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
}
