package ai.kiku.api.provider;

import io.smallrye.mutiny.Uni;

/** An LLM upstream: OpenAI-compatible (chat and the other metered endpoints, {@link ProxyEndpoint}), or Anthropic's Messages API. */
public interface ChatProvider {

    /** The configured name ({@code kiku.providers.<name>}), used in routes, metrics and answers. */
    String name();

    /**
     * Sends one attempt. Fails (with {@link ProviderFailure}, or the circuit breaker's exception when
     * its circuit is open) when the caller should fall back to the next provider; a 4xx that blames
     * the request comes back as a rejected reply instead.
     */
    Uni<UpstreamReply> send(ChatCall call);

    /** Whether this provider speaks {@code endpoint}'s protocol: OpenAI's endpoints, unless it is an Anthropic provider. */
    default boolean serves(ProxyEndpoint endpoint) {
        return endpoint != ProxyEndpoint.MESSAGES;
    }

    /**
     * The request field this provider takes its output cap in, set by the gateway when the client
     * sent none ({@code max_tokens}, or {@code max_completion_tokens} for OpenAI's reasoning models).
     */
    default String outputCapField() {
        return "max_tokens";
    }
}
