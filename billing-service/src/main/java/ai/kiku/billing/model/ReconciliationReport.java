package ai.kiku.billing.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * Result of comparing Redis with PostgreSQL; {@code accounts} lists only accounts with a finding
 * (balance drift, a lost credit, a status Redis did not have, overage). {@code creditsRestored}
 * and {@code statusesRepublished} count what the run repaired on its own; {@code accountsFailed}
 * the accounts that could not be checked (their store failed), retried by the next run.
 */
public record ReconciliationReport(Instant checkedAt, int accountsChecked, int accountsWithDrift,
                                   long totalDriftMicros, int accountsRepaired, int creditsRestored,
                                   int statusesRepublished, int accountsFailed, List<Drift> accounts) {

    /**
     * One account: expected Redis balance = ledger balance − charges still in the stream and not
     * yet in PostgreSQL; drift = Redis − expected (after any lost credit was restored).
     * {@code missingCredits}: ledger credits/debits whose reference Redis did not know (restored
     * when the run repairs); {@code statusMismatches}: the account's and its keys' statuses that
     * differed from PostgreSQL (republished when the run repairs); {@code overageMicros}: charged
     * beyond reservations, shown when non-zero.
     */
    public record Drift(long accountId, long redisBalanceMicros, long ledgerBalanceMicros, long unrecordedChargesMicros,
                        long expectedRedisBalanceMicros, long driftMicros, boolean missingInRedis, boolean repaired,
                        int missingCredits, long missingCreditsMicros, List<String> statusMismatches,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long overageMicros) {

        /** A balance comparison alone (what RebuildService computes). */
        public Drift(long accountId, long redisBalanceMicros, long ledgerBalanceMicros, long unrecordedChargesMicros,
                     long expectedRedisBalanceMicros, long driftMicros, boolean missingInRedis, boolean repaired) {
            this(accountId, redisBalanceMicros, ledgerBalanceMicros, unrecordedChargesMicros,
                    expectedRedisBalanceMicros, driftMicros, missingInRedis, repaired, 0, 0, List.of(), null);
        }

        public Drift with(Findings f, boolean anythingRepaired, Long overage) {
            return new Drift(accountId, redisBalanceMicros, ledgerBalanceMicros, unrecordedChargesMicros,
                    expectedRedisBalanceMicros, driftMicros, missingInRedis, repaired || anythingRepaired,
                    f.missingCredits(), f.missingCreditsMicros(), f.statusMismatches(), overage);
        }
    }

    /** What the per-account checks besides the balance found (and maybe repaired). */
    public record Findings(int missingCredits, long missingCreditsMicros, boolean creditsRestored,
                           List<String> statusMismatches, boolean statusesRepublished, boolean rebuilt) {

        public boolean any() {
            return missingCredits > 0 || !statusMismatches.isEmpty() || rebuilt;
        }

        public boolean repairedAnything() {
            return creditsRestored || statusesRepublished || rebuilt;
        }
    }
}
