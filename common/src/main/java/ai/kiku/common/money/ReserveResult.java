package ai.kiku.common.money;

/**
 * Result of a reservation, with what the caller needs for its answer: balances after the attempt
 * and the key's rate-limit window (limit, remaining, milliseconds until it resets), and the amount
 * the hold took ({@code reservedMicros}, 0 unless reserved; below the amount asked only when a least
 * amount was given).
 */
public record ReserveResult(ReserveOutcome outcome, long balanceMicros, long heldMicros,
                            long rateLimit, long rateRemaining, long rateResetMillis, long reservedMicros) {

    public boolean reserved() {
        return outcome == ReserveOutcome.RESERVED;
    }

    /** Spendable balance: what a new reservation may take. */
    public long spendableMicros() {
        return balanceMicros - heldMicros;
    }
}
