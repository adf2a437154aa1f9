package ai.kiku.billing.model;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.money.Micros;

import java.time.Instant;

/** An account row of PostgreSQL, the truth about who the customer is and how the account is set up. */
public record Account(long accountId, Long telegramUserId, String displayName, String status,
                      long lowBalanceThresholdMicros, int defaultRateLimitPerMinute, Instant createdAt) {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";
    public static final String CLOSED = "closed";

    /** The account as the internal API answers it, with the real-time balance and holds from Redis. */
    public AccountView view(long balanceMicros, long heldMicros) {
        return new AccountView(accountId, telegramUserId, displayName, status, balanceMicros,
                Micros.format(balanceMicros), heldMicros, lowBalanceThresholdMicros, defaultRateLimitPerMinute,
                createdAt);
    }
}
