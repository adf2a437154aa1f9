package ai.kiku.common.money;

/** Result of overwriting an account's Redis state from PostgreSQL. */
public record RebuildResult(long previousBalanceMicros, long balanceMicros, long heldMicros) {
}
