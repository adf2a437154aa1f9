package ai.kiku.billing.model;

import java.time.Instant;
import java.util.List;

/** Result of comparing Redis balances with the ledger; {@code accounts} lists only drifted accounts. */
public record ReconciliationReport(Instant checkedAt, int accountsChecked, int accountsWithDrift,
                                   long totalDriftMicros, int accountsRepaired, List<Drift> accounts) {

    /**
     * One account: expected Redis balance = ledger balance − charges still in the stream and not
     * yet in PostgreSQL; drift = Redis − expected.
     */
    public record Drift(long accountId, long redisBalanceMicros, long ledgerBalanceMicros, long unrecordedChargesMicros,
                        long expectedRedisBalanceMicros, long driftMicros, boolean missingInRedis, boolean repaired) {
    }
}
