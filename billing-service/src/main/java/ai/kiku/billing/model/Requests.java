package ai.kiku.billing.model;

/** Request bodies of the admin and internal APIs; boxed so that a missing field is told from zero. */
public final class Requests {

    private Requests() {
    }

    public record CreateAccount(Long telegramUserId, String displayName) {
    }

    public record UpdateAccount(String status, Long lowBalanceThresholdMicros, Integer defaultRateLimitPerMinute) {
    }

    public record CreateKey(String name, Integer rateLimitPerMinute) {
    }

    public record Ledger(String kind, Long amountMicros, String externalRef, String description) {
    }

    public record Adjustment(Long amountMicros, String reason, String idempotencyKey) {
    }

    public record Repair(Long accountId) {
    }
}
