package ai.kiku.common.money;

/** What a reservation attempt came to; the order matches the codes of reserve.lua. */
public enum ReserveOutcome {
    RESERVED, INSUFFICIENT_FUNDS, RATE_LIMITED, KEY_INACTIVE, ACCOUNT_INACTIVE, NO_ACCOUNT, DUPLICATE_HOLD
}
