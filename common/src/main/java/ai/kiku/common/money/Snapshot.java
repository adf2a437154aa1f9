package ai.kiku.common.money;

import java.util.Map;

/**
 * An account's Redis balance together with the usage charges of that account still in its
 * partition stream at the same instant (request id → micros), read atomically for reconciliation.
 */
public record Snapshot(long balanceMicros, long heldMicros, String status, Map<String, Long> unconsumedCharges) {
}
