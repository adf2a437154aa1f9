package ai.kiku.billing.model;

import java.util.List;

/** The price catalogue: products, per-model token prices and the credit packs sold through Paddle. */
public record Catalogue(List<Product> products, List<ModelPrice> models, List<CreditPack> creditPacks) {

    public record Product(String productId, String name, String description, long pricePerRequestMicros) {
    }

    public record ModelPrice(String model, String productId, long inputPerMillionMicros, long outputPerMillionMicros,
                             int maxOutputTokens) {
    }

    public record CreditPack(String paddlePriceId, String name, long creditsMicros, String priceLabel) {
    }
}
