package ai.kiku.api.service;

import ai.kiku.api.client.Route;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A validated chat completion request, priced: the body to forward (usage always requested on
 * streams), the providers to try in order, the input token estimate and the worst-case reservation.
 */
public record ChatRequest(ObjectNode body, String model, boolean stream, boolean clientWantsUsage,
                          long inputEstimate, long maxOutputTokens, ModelPrice price, List<Route> routes,
                          long reserveMicros) {
}
