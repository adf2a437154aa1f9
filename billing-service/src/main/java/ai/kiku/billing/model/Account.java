package ai.kiku.billing.model;

import java.time.Instant;

/** An account row of PostgreSQL, the truth about who the customer is and how the account is set up. */
public record Account(long accountId, Long telegramUserId, String displayName, String status,
                      long lowBalanceThresholdMicros, int defaultRateLimitPerMinute, Instant createdAt) {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String CLOSED = "closed";
}
