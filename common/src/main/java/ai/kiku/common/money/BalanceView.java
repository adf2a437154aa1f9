package ai.kiku.common.money;

/**
 * Real-time state of an account as Redis holds it, with the status of the key that asked.
 * Statuses are empty strings when Redis has no such account or key.
 */
public record BalanceView(String accountStatus, long balanceMicros, long heldMicros,
                          long thresholdMicros, String keyStatus) {

    public boolean exists() {
        return !accountStatus.isEmpty();
    }

    public long spendableMicros() {
        return balanceMicros - heldMicros;
    }
}
