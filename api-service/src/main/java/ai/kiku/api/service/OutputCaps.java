package ai.kiku.api.service;

import java.math.BigInteger;

/**
 * The output cap a reservation pays for, when the balance could not pay a request's full worst case:
 * exact integer arithmetic over {@link CallPrice}'s rules (per request, input bound and output each
 * rounded up to a whole micro), so the cap's worst case never exceeds what was held.
 */
final class OutputCaps {

    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

    private OutputCaps() {
    }

    /** Largest per-choice cap from {@code flex.minCap()} to {@code maxCap} whose reservation is at most {@code paid}. */
    static long largestPaid(CallPrice price, long inputBound, ChatRequest.OutputFlex flex, long maxCap, long paid) {
        long forOutput = paid - price.cost(inputBound, 0);
        long perMillion = price.outputPerMillionMicros();
        long cap = maxCap;
        if (perMillion > 0) {
            // ceil(tokens * perMillion / 1e6) <= forOutput  <=>  tokens <= forOutput * 1e6 / perMillion
            long tokens = BigInteger.valueOf(Math.max(0, forOutput)).multiply(MILLION)
                    .divide(BigInteger.valueOf(perMillion)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
            cap = Math.min(maxCap, tokens / flex.choices() - flex.predictionBytes());
        }
        cap = Math.max(cap, flex.minCap());
        while (cap > flex.minCap() && cost(price, inputBound, flex, cap) > paid) {
            cap--; // not reached with the rules above; kept so a rule change cannot overdraw a hold
        }
        return cap;
    }

    private static long cost(CallPrice price, long inputBound, ChatRequest.OutputFlex flex, long cap) {
        return price.cost(inputBound, CallPrice.outputBound(cap, flex.predictionBytes(), flex.choices()));
    }
}
