package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The price catalogue: products, per-model token prices and the credit packs sold through Paddle. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Catalogue(List<Product> products, List<ModelPrice> models, List<CreditPack> creditPacks) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Product(String productId, String name, String description, long pricePerRequestMicros) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModelPrice(String model, String productId, long inputPerMillionMicros, long outputPerMillionMicros,
                             int maxOutputTokens) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreditPack(String paddlePriceId, String name, long creditsMicros, String priceLabel) {
    }
}
