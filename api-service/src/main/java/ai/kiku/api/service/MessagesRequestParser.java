package ai.kiku.api.service;

import ai.kiku.api.anthropic.AnthropicRequests;
import ai.kiku.api.provider.ProxyEndpoint;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Validates and prices an Anthropic Messages request ({@code POST /v1/messages}): the model and its
 * Anthropic providers as every endpoint finds them, the rest by {@link AnthropicRequests}.
 */
@ApplicationScoped
public class MessagesRequestParser {

    private final ChatRequestParser common;

    public MessagesRequestParser(ChatRequestParser common) {
        this.common = common;
    }

    public ChatRequest parse(byte[] bytes, PriceList catalogue) {
        ObjectNode body = common.object(bytes);
        ChatRequestParser.Target target = common.target(body, false, catalogue, ProxyEndpoint.MESSAGES);
        return AnthropicRequests.parse(body, target.price(), target.routes());
    }
}
