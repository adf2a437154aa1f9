package ai.kiku.billing.model;

import java.time.Instant;

/** One append-only ledger fact; {@code amountMicros} is signed (credit positive, debit negative). */
public record LedgerEntry(long entryId, String kind, long amountMicros, String amount, String externalRef,
                          String description, Instant createdAt) {
}
