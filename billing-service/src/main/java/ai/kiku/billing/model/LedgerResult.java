package ai.kiku.billing.model;

/** Outcome of booking a ledger fact: {@code applied} is false for a repeat of the same reference. */
public record LedgerResult(boolean applied, long balanceMicros, String balance) {
}
