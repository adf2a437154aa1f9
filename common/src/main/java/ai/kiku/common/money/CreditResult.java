package ai.kiku.common.money;

/** Result of a credit or debit by reference, with the account's balances afterwards. */
public record CreditResult(CreditOutcome outcome, long balanceMicros, long heldMicros) {
}
