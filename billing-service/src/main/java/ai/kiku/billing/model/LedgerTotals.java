package ai.kiku.billing.model;

/** Sums of an account's ledger: credits, non-usage debits, usage, and the resulting ledger balance. */
public record LedgerTotals(long creditsMicros, long debitsMicros, long usageMicros, long usageRequests,
                           long ledgerBalanceMicros) {
}
