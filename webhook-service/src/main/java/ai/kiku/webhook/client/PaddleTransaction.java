package ai.kiku.webhook.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** Paddle's transaction wire format (snake_case), as much of it as checkout needs. */
public final class PaddleTransaction {

    private PaddleTransaction() {
    }

    /** Request body of {@code POST /transactions}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Create(List<Item> items, @JsonProperty("custom_data") Map<String, String> customData,
                         HostedCheckout checkout) {
    }

    public record Item(@JsonProperty("price_id") String priceId, int quantity) {
    }

    /** Paddle's {@code checkout} object: the hosted page where the customer pays. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HostedCheckout(String url) {
    }

    /** Paddle wraps every entity in {@code {"data": ..., "meta": ...}}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Envelope(Data data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Data(String id, String status, HostedCheckout checkout) {
    }
}
