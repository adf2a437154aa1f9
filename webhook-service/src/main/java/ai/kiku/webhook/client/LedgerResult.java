package ai.kiku.webhook.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** billing's answer: {@code applied=false} means the reference was booked before and nothing changed. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LedgerResult(boolean applied, long balanceMicros, String balance) {
}
