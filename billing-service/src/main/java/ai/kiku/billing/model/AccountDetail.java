package ai.kiku.billing.model;

import ai.kiku.common.contract.AccountView;

import java.time.Instant;

/** The operators' view of an account: {@link AccountView} plus open holds and ledger totals. */
public record AccountDetail(long accountId, Long telegramUserId, String displayName, String status,
                            long balanceMicros, String balance, long heldMicros, long spendableMicros,
                            long lowBalanceThresholdMicros, int defaultRateLimitPerMinute, Instant createdAt,
                            int openHolds, LedgerTotals totals) {

    public static AccountDetail of(AccountView v, int openHolds, LedgerTotals totals) {
        return new AccountDetail(v.accountId(), v.telegramUserId(), v.displayName(), v.status(), v.balanceMicros(),
                v.balance(), v.heldMicros(), v.balanceMicros() - v.heldMicros(), v.lowBalanceThresholdMicros(),
                v.defaultRateLimitPerMinute(), v.createdAt(), openHolds, totals);
    }
}
