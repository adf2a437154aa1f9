package ai.kiku.common.money;

/** What applying a ledger fact to Redis came to; the order matches the codes of credit.lua. */
public enum CreditOutcome {
    APPLIED, DUPLICATE, NO_ACCOUNT, OUT_OF_RANGE
}
