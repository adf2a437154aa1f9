package ai.kiku.api.service;

import ai.kiku.api.provider.ProxyEndpoint;
import jakarta.enterprise.context.ApplicationScoped;

/** Picks the parser of each metered endpoint: one entry point from the proxy handler to validated, priced requests. */
@ApplicationScoped
public class RequestParsers {

    private final ChatRequestParser chat;
    private final EmbeddingRequestParser embeddings;
    private final CompletionRequestParser completions;
    private final ResponseRequestParser responses;
    private final MessagesRequestParser messages;

    public RequestParsers(ChatRequestParser chat, EmbeddingRequestParser embeddings,
                          CompletionRequestParser completions, ResponseRequestParser responses,
                          MessagesRequestParser messages) {
        this.messages = messages;
        this.chat = chat;
        this.embeddings = embeddings;
        this.completions = completions;
        this.responses = responses;
    }

    /** Validates and prices a request body to {@code endpoint}; {@code ownShape} only for chat's /api/v1/proxy/llm. */
    public ChatRequest parse(ProxyEndpoint endpoint, byte[] bytes, boolean ownShape, PriceList catalogue) {
        return switch (endpoint) {
            case CHAT -> chat.parse(bytes, ownShape, catalogue);
            case EMBEDDINGS -> embeddings.parse(bytes, catalogue);
            case COMPLETIONS -> completions.parse(bytes, catalogue);
            case RESPONSES -> responses.parse(bytes, catalogue);
            case MESSAGES -> messages.parse(bytes, catalogue);
        };
    }
}
