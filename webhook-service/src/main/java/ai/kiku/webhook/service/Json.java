package ai.kiku.webhook.service;

import com.fasterxml.jackson.databind.JsonNode;

/** Null-safe reads of Paddle payload fields. */
final class Json {

    private Json() {
    }

    /** The text at {@code field}, or null when absent, null or not a scalar. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    /** A non-negative integer given as a JSON number or a numeric string (Paddle sends amounts as strings). */
    static Long nonNegativeLong(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null || !text.matches("\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(text);
    }
}
