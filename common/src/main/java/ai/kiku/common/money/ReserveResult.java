package ai.kiku.common.money;

/**
 * Result of a reservation, with what the caller needs for its answer: balances after the attempt
 * and the key's rate-limit window (limit, remaining, milliseconds until it resets). When a key's
 * control refused it, {@code controlLimit} is that control's limit (the spend cap in micros, or the
 * tokens per minute) and {@code controlUsed} what is used of it (spent plus held, or tokens counted
 * this minute); otherwise both are 0. {@code reservedMicros} is the amount the hold took (0 unless
 * reserved; below the amount asked only when a least amount was given).
 */
public record ReserveResult(ReserveOutcome outcome, long balanceMicros, long heldMicros,
                            long rateLimit, long rateRemaining, long rateResetMillis,
                            long controlLimit, long controlUsed, long reservedMicros) {

    public ReserveResult(ReserveOutcome outcome, long balanceMicros, long heldMicros,
                         long rateLimit, long rateRemaining, long rateResetMillis) {
        this(outcome, balanceMicros, heldMicros, rateLimit, rateRemaining, rateResetMillis, 0, 0, 0);
    }

    public boolean reserved() {
        return outcome == ReserveOutcome.RESERVED;
    }

    /** Spendable balance: what a new reservation may take. */
    public long spendableMicros() {
        return balanceMicros - heldMicros;
    }
}
