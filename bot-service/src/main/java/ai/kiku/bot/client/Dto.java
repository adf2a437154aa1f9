package ai.kiku.bot.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** Bodies of the internal APIs of billing-service and webhook-service, as documented in the team brief. */
public final class Dto {

    private Dto() {
    }

    public record NewAccount(long telegramUserId, String displayName) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Account(long accountId, long telegramUserId, String displayName, String status, long balanceMicros,
                          long heldMicros, long lowBalanceThresholdMicros, int defaultRateLimitPerMinute) {
    }

    public record NewKey(String name) {
    }

    /** {@code key} (the plaintext) is present only in the answer to a create. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ApiKey(long keyId, String key, String prefix, String name, int rateLimitPerMinute, String status,
                         String createdAt, String lastUsedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Catalogue(List<CreditPack> creditPacks) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreditPack(String paddlePriceId, String name, long creditsMicros, String priceLabel) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UsageReport(long accountId, String from, String to, String groupBy, UsageTotals totals) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UsageTotals(long requests, long inputTokens, long outputTokens, long costMicros) {
    }

    public record CheckoutRequest(long accountId, String paddlePriceId, int quantity) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Checkout(String transactionId, String checkoutUrl) {
    }
}
