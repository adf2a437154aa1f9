package ai.kiku.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Anthropic's usage in the units our prices are in. Anthropic bills prompt caching apart from plain
 * input: a cache write costs 1.25x the input price (5-minute cache) or 2x (1-hour cache), a cache
 * read 0.1x. We price input per token, so a call is charged {@code input + ceil(1.25 x 5m writes) +
 * 2 x 1h writes + ceil(0.1 x reads)} input tokens: never less than what the provider bills, as exact
 * integers. When the answer does not split its cache writes by lifetime, all of them count as 1-hour
 * writes (the dearer). A count that is not a whole non-negative number is handed on as unusable, so
 * the metering path charges the bound and logs the anomaly.
 */
public final class AnthropicUsage {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AnthropicUsage() {
    }

    /** {@code input_tokens} (as input-price tokens, caching included) and {@code output_tokens} of a usage object. */
    public static ObjectNode chargeable(JsonNode usage) {
        ObjectNode out = JSON.objectNode();
        long input = whole(usage.get("input_tokens"), true);
        long read = whole(usage.get("cache_read_input_tokens"), false);
        long writes = whole(usage.get("cache_creation_input_tokens"), false);
        JsonNode split = usage.get("cache_creation");
        long fiveMinute;
        long oneHour;
        if (split != null && split.isObject()) {
            fiveMinute = whole(split.get("ephemeral_5m_input_tokens"), false);
            oneHour = whole(split.get("ephemeral_1h_input_tokens"), false);
        } else {
            fiveMinute = 0;
            oneHour = writes;
        }
        long equivalent = -1;
        if (input >= 0 && read >= 0 && fiveMinute >= 0 && oneHour >= 0 && writes >= 0) {
            try {
                equivalent = Math.addExact(Math.addExact(input, ceilDiv(Math.multiplyExact(fiveMinute, 5), 4)),
                        Math.addExact(Math.multiplyExact(oneHour, 2), ceilDiv(read, 10)));
            } catch (ArithmeticException overflow) {
                equivalent = -1;
            }
        }
        if (equivalent >= 0) {
            out.put("input_tokens", equivalent);
        } else {
            out.put("input_tokens", "unusable");
        }
        JsonNode output = usage.get("output_tokens");
        out.set("output_tokens", output == null ? JSON.nullNode() : output);
        return out;
    }

    /**
     * The usage of a stream after {@code event}: {@code message_start} carries the input side (and a
     * first output count), each {@code message_delta} the cumulative counts so far, which replace the
     * earlier ones field by field. {@code previous} (may be null) is returned as it is when the event
     * says nothing about usage.
     */
    public static JsonNode merge(JsonNode previous, JsonNode event) {
        String type = event.path("type").asText("");
        JsonNode reported = switch (type) {
            case "message_start" -> event.path("message").get("usage");
            case "message_delta" -> event.get("usage");
            default -> null;
        };
        if (reported == null || !reported.isObject()) {
            return previous;
        }
        ObjectNode usage = previous instanceof ObjectNode before ? before.deepCopy() : JSON.objectNode();
        reported.fields().forEachRemaining(field -> {
            if (!field.getValue().isNull()) {
                usage.set(field.getKey(), field.getValue());
            }
        });
        return usage;
    }

    /** A whole non-negative count; absent is 0 unless {@code required}; anything else is -1. */
    private static long whole(JsonNode value, boolean required) {
        if (value == null || value.isNull()) {
            return required ? -1 : 0;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            return -1;
        }
        return value.longValue();
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
