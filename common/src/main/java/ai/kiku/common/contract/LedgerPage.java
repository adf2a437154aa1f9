package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** A page of ledger entries, newest first; pass {@code nextBefore} as {@code before} for the next page. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LedgerPage(long accountId, List<LedgerEntry> entries, Long nextBefore) {
}
