package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;

/** An account as billing answers it to services: PostgreSQL settings plus the real-time Redis balance. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AccountView(long accountId, Long telegramUserId, String displayName, String status,
                          long balanceMicros, String balance, long heldMicros, long lowBalanceThresholdMicros,
                          int defaultRateLimitPerMinute, Instant createdAt) {
}
