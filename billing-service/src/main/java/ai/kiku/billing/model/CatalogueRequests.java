package ai.kiku.billing.model;

/**
 * Bodies of the admin catalogue API ({@code PUT /admin/v1/catalogue/...}); the key is the path's. Boxed, so a
 * missing field is told from zero. Prices are integer micro-dollars: per request, and per one million tokens.
 */
public final class CatalogueRequests {

    private CatalogueRequests() {
    }

    public record PutProduct(String name, String description, Long pricePerRequestMicros) {
    }

    public record PutModel(String productId, Long inputPerMillionMicros, Long outputPerMillionMicros,
                           Integer maxOutputTokens) {
    }

    public record PutCreditPack(String name, Long creditsMicros, String priceLabel) {
    }
}
