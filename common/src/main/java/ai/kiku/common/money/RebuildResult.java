package ai.kiku.common.money;

/**
 * Result of merging PostgreSQL into an account's Redis state: balances before and after, the open
 * holds, the credits Redis had lost and applied now, and how far the settled total was raised to
 * the usage PostgreSQL had recorded.
 */
public record RebuildResult(long previousBalanceMicros, long balanceMicros, long heldMicros, long restoredMicros,
                            long raisedSpentMicros) {
}
