package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** Request bodies of the internal API; boxed so that the server tells a missing field from zero. */
public final class InternalRequests {

    private InternalRequests() {
    }

    /** {@code POST /internal/v1/accounts} (also the operators' account creation). */
    public record CreateAccount(Long telegramUserId, String displayName) {
    }

    /** {@code POST /internal/v1/accounts/{id}/keys}; an unset rate limit (not sent) is the account's default. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CreateKey(String name, Integer rateLimitPerMinute) {

        public CreateKey(String name) {
            this(name, null);
        }
    }

    /**
     * {@code PATCH /internal/v1/accounts/{id}/keys/{keyId}} (and the operators' same PATCH): sets the
     * given controls (see {@link KeyControls}), leaves the unsent ones as they are, and lifts those
     * named in {@code clear} (field names, e.g. {@code "spendCapMicros"}) back to unlimited.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UpdateKey(Long spendCapMicros, Long monthlySpendCapMicros, List<String> allowedModels,
                            Instant expiresAt, Integer tokensPerMinute, List<String> clear) {
    }

    /** {@code POST /internal/v1/accounts/{id}/ledger}: a signed entry, booked once per account and {@code externalRef}. */
    public record Ledger(String kind, Long amountMicros, String externalRef, String description) {
    }

    /** webhook-service's {@code POST /internal/v1/checkouts}: a Paddle checkout for a credit pack; quantity defaults to 1. */
    public record CreateCheckout(Long accountId, String paddlePriceId, Integer quantity) {
    }

    /** billing's {@code PUT /internal/v1/accounts/{id}/low-balance-threshold}: the user's own threshold. */
    public record LowBalanceThreshold(Long lowBalanceThresholdMicros) {
    }
}
