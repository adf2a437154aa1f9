package ai.kiku.billing.model;

/**
 * Request bodies of the admin API only (the internal API's, which admin reuses, are
 * {@link ai.kiku.common.contract.InternalRequests}); boxed so that a missing field is told from zero.
 */
public final class Requests {

    private Requests() {
    }

    public record UpdateAccount(String status, Long lowBalanceThresholdMicros, Integer defaultRateLimitPerMinute) {
    }

    public record Adjustment(Long amountMicros, String reason, String idempotencyKey) {
    }

    public record Repair(Long accountId) {
    }
}
