package ai.kiku.webhook.service;

import java.math.BigInteger;

/** The credits a partial refund or chargeback takes back: a pure function, so its rounding is pinned by a table test. */
public final class Proration {

    private Proration() {
    }

    /**
     * {@code floor(lineCredits × amount / lineTotal)} in exact arithmetic, capped at {@code lineCredits}: both
     * amounts are in the charged currency's minor units, and rounding down leaves at most one micro with the
     * customer. Refuses a negative input or a line total that is not positive.
     */
    public static long share(long lineCredits, long amount, long lineTotal) {
        if (lineCredits < 0 || amount < 0 || lineTotal <= 0) {
            throw new IllegalArgumentException("cannot prorate " + amount + "/" + lineTotal + " of " + lineCredits);
        }
        return BigInteger.valueOf(lineCredits).multiply(BigInteger.valueOf(amount)).divide(BigInteger.valueOf(lineTotal))
                .min(BigInteger.valueOf(lineCredits)).longValueExact();
    }
}
