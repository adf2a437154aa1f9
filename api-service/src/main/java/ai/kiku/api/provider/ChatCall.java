package ai.kiku.api.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One attempt of a call at one provider, on {@code endpoint}; {@code body} already names the upstream model. */
public record ChatCall(String requestId, ObjectNode body, boolean stream, ProxyEndpoint endpoint) {
}
