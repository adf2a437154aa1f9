package ai.kiku.api.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A parsed copy of billing's price catalogue (the body of /internal/v1/catalogue). */
public record Catalogue(String json, Map<String, ModelPrice> models, long loadedAtMillis) {

    /** The price of a model, or null when the catalogue does not sell it. */
    public ModelPrice price(String model) {
        return models.get(model);
    }

    public List<String> modelNames() {
        return models.keySet().stream().sorted().toList();
    }

    /** Parses the catalogue JSON; models whose product is unknown or inactive are left out. */
    public static Catalogue parse(ObjectMapper mapper, String json, long now) throws IOException {
        JsonNode root = mapper.readTree(json);
        Map<String, Long> perRequest = new HashMap<>();
        for (JsonNode p : root.path("products")) {
            if (p.path("active").asBoolean(true)) {
                perRequest.put(p.path("productId").asText(), p.path("pricePerRequestMicros").asLong());
            }
        }
        Map<String, ModelPrice> models = new HashMap<>();
        for (JsonNode m : root.path("models")) {
            String product = m.path("productId").asText();
            Long request = perRequest.get(product);
            if (request == null || !m.hasNonNull("model")) {
                continue;
            }
            String name = m.get("model").asText();
            models.put(name, new ModelPrice(name, product, request, m.path("inputPerMillionMicros").asLong(),
                    m.path("outputPerMillionMicros").asLong(), m.path("maxOutputTokens").asInt(4096)));
        }
        return new Catalogue(json, Map.copyOf(models), now);
    }
}
