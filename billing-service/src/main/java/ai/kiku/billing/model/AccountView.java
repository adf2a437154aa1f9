package ai.kiku.billing.model;

import ai.kiku.common.money.Micros;

import java.time.Instant;

/** The account as services see it: PostgreSQL settings plus the real-time Redis balance. */
public record AccountView(long accountId, Long telegramUserId, String displayName, String status,
                          long balanceMicros, String balance, long heldMicros, long lowBalanceThresholdMicros,
                          int defaultRateLimitPerMinute, Instant createdAt) {

    public static AccountView of(Account a, long balanceMicros, long heldMicros) {
        return new AccountView(a.accountId(), a.telegramUserId(), a.displayName(), a.status(), balanceMicros,
                Micros.format(balanceMicros), heldMicros, a.lowBalanceThresholdMicros(),
                a.defaultRateLimitPerMinute(), a.createdAt());
    }
}
