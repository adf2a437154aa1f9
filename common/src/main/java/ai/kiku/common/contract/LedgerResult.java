package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Outcome of booking a ledger fact: {@code applied} is false for a repeat of the same reference. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LedgerResult(boolean applied, long balanceMicros, String balance) {
}
