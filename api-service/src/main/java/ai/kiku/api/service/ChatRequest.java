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
 * {@code inputEstimate} is charged when a provider reports no usage. {@code flex} (null when the client set
 * a cap or output is free): the call may run with a lower cap, down to a minimum, when the balance cannot
 * pay the model's maximum output ({@link #cappedTo}).
 */
public record ChatRequest(ObjectNode body, String model, boolean stream, boolean clientWantsUsage,
                          long inputEstimate, long inputBound, long outputCap, long outputBound,
                          boolean sendOutputCap, CallPrice price, List<Route> routes, long reserveMicros,
                          ProxyEndpoint endpoint, OutputFlex flex) {

    /**
     * How a request without max_tokens may be capped: {@code leastMicros} reserves its input and the
     * minimum output cap {@code minCap}; {@code predictionBytes} and {@code choices} shape its output bound.
     */
    public record OutputFlex(long leastMicros, long minCap, long predictionBytes, long choices) {
    }

    /** Least amount a reservation of this request may take: {@link #reserveMicros} unless it can be capped. */
    public long leastReserveMicros() {
        return flex == null ? reserveMicros : flex.leastMicros();
    }

    /**
     * This request with the largest per-choice output cap whose worst case {@code reservedMicros} pays (a hold
     * took only that much); the reservation stays what was held, so every bound charged stays within it.
     */
    public ChatRequest cappedTo(long reservedMicros) {
        if (flex == null || reservedMicros >= reserveMicros) {
            return this;
        }
        long cap = OutputCaps.largestPaid(price, inputBound, flex, outputCap, reservedMicros);
        return new ChatRequest(body, model, stream, clientWantsUsage, inputEstimate, inputBound, cap,
                CallPrice.outputBound(cap, flex.predictionBytes(), flex.choices()), true, price, routes, reservedMicros,
                endpoint, flex);
    }
}
