package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * Request fields of OpenAI's chat completions that make the provider bill more than the tokens our
 * catalogue prices: priority processing (about twice the standard token price), web search on
 * chat (a fee per search on top of tokens) and audio output (audio tokens cost several times text
 * tokens, within the same completion_tokens). Passing them through would let a client buy them
 * at the text price, so they are refused with a 400 naming the field. The cheaper flex tier passes.
 */
public final class UnpricedFeatures {

    private static final Set<String> TIERS = Set.of("auto", "default", "flex");

    private UnpricedFeatures() {
    }

    /** Throws a 400 naming the first field whose bill the catalogue cannot price. */
    public static void refuseIn(ObjectNode body) {
        JsonNode tier = body.get("service_tier");
        if (tier != null && !tier.isNull() && !(tier.isTextual() && TIERS.contains(tier.asText()))) {
            throw ProblemException.badRequest("service_tier", "service_tier must be auto, default or flex here: "
                    + "other tiers are billed above the prices in GET /api/v1/products");
        }
        if (body.hasNonNull("web_search_options")) {
            throw ProblemException.badRequest("web_search_options", "web search is not offered here: its per-search "
                    + "fee is not in the price list");
        }
        if (body.hasNonNull("audio")) {
            throw ProblemException.badRequest("audio", "audio output is not offered here: audio tokens are billed "
                    + "above the text prices in the price list");
        }
        JsonNode modalities = body.get("modalities");
        if (modalities != null && modalities.isArray()) {
            for (JsonNode modality : modalities) {
                if (!"text".equals(modality.asText())) {
                    throw ProblemException.badRequest("modalities", "only text output is offered here");
                }
            }
        }
    }
}
