package ai.kiku.webhook.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/** The part of billing's catalogue this service needs: credit packs by Paddle price id. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CatalogueView(List<CreditPack> creditPacks) {

    /** Credits granted per unit bought of one Paddle price. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreditPack(String paddlePriceId, String name, long creditsMicros, String priceLabel) {
    }
}
