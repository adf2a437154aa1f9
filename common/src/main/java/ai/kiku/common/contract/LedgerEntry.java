package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;

/** One append-only ledger fact; {@code amountMicros} is signed (credit positive, debit negative). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LedgerEntry(long entryId, String kind, long amountMicros, String amount, String externalRef,
                          String description, Instant createdAt) {
}
