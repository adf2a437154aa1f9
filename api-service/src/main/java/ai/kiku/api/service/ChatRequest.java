package ai.kiku.api.service;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.provider.Route;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A validated metered request to one {@code endpoint} (chat, legacy completions, embeddings,
 * responses), priced: the body to forward (usage always requested on streams), the providers to try in order, and what the provider can bill at most: input tokens
 * ({@code inputBound}, from the whole body), output tokens ({@code outputBound}: the per-choice cap
 * {@code outputCap} times {@code n}, plus predicted output), and their price, the reservation.
 * {@code sendOutputCap}: the client set no max_tokens, so the gateway sends {@code outputCap}.
 * {@code inputEstimate} is charged when a provider reports no usage.
 */
public record ChatRequest(ObjectNode body, String model, boolean stream, boolean clientWantsUsage,
                          long inputEstimate, long inputBound, long outputCap, long outputBound,
                          boolean sendOutputCap, CallPrice price, List<Route> routes, long reserveMicros,
                          ProxyEndpoint endpoint) {
}
