package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** webhook-service's answer to {@code POST /internal/v1/checkouts}: where to pay, and what it credits. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Checkout(String transactionId, String checkoutUrl, long creditsMicros, String credits) {
}
