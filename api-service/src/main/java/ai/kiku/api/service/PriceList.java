package ai.kiku.api.service;

import ai.kiku.common.contract.Catalogue;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's copy of billing's price catalogue (the contract's {@link Catalogue}, body of
 * /internal/v1/catalogue and of Redis key {@code kiku:catalogue}): the JSON as published, and each
 * priced model's {@link CallPrice}.
 */
public record PriceList(String json, Map<String, CallPrice> models, long loadedAtMillis) {

    /** The price of a model, or null when the catalogue does not sell it. */
    public CallPrice price(String model) {
        return models.get(model);
    }

    public List<String> modelNames() {
        return models.keySet().stream().sorted().toList();
    }

    /** Parses the catalogue JSON; models whose product is unknown are left out. */
    public static PriceList parse(ObjectMapper mapper, String json, long now) throws IOException {
        Catalogue catalogue = mapper.readValue(json, Catalogue.class);
        Map<String, Long> perRequest = new HashMap<>();
        for (Catalogue.Product p : list(catalogue.products())) {
            perRequest.put(p.productId(), p.pricePerRequestMicros());
        }
        Map<String, CallPrice> models = new HashMap<>();
        for (Catalogue.ModelPrice m : list(catalogue.models())) {
            Long request = perRequest.get(m.productId());
            if (request == null || m.model() == null) {
                continue;
            }
            models.put(m.model(), new CallPrice(m.model(), m.productId(), request, m.inputPerMillionMicros(),
                    m.outputPerMillionMicros(), m.maxOutputTokens()));
        }
        return new PriceList(json, Map.copyOf(models), now);
    }

    private static <T> List<T> list(List<T> items) {
        return items == null ? List.of() : items;
    }
}
