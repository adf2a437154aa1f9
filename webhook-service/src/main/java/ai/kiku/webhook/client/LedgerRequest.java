package ai.kiku.webhook.client;

/** A signed ledger entry ({@code +} credit, {@code -} debit), unique per account on {@code externalRef}. */
public record LedgerRequest(String kind, long amountMicros, String externalRef, String description) {
}
