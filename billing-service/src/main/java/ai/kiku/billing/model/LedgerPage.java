package ai.kiku.billing.model;

import java.util.List;

/** A page of ledger entries, newest first; pass {@code nextBefore} as {@code before} for the next page. */
public record LedgerPage(long accountId, List<LedgerEntry> entries, Long nextBefore) {
}
