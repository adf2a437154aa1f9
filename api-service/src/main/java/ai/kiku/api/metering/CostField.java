package ai.kiku.api.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Puts what a call was charged into its answer as {@code usage.cost_micros}. The upstream's own bytes are
 * relayed, so the field is spliced in at its place (the end of the {@code usage} object) without
 * re-serialising anything else: field order, numbers, tool calls and logprobs reach the client as the
 * provider wrote them. An answer without usage gets the usage charged (tokens and cost).
 */
final class CostField {

    static final String NAME = "cost_micros";
    private static final JsonFactory FACTORY = new JsonFactory();

    private CostField() {
    }

    /**
     * {@code json} (one JSON object) with the cost added to its usage, or null when the bytes cannot take it
     * by a splice (not an object, usage not an object, usage repeated or already holding a cost): the caller
     * then adds it to the parsed tree ({@link #addTo}).
     */
    static Buffer splice(Buffer json, long costMicros, long inputTokens, long outputTokens) {
        byte[] bytes = json.getBytes();
        long at = -1;
        boolean needsComma = false;
        String insert;
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            boolean fields = false;
            boolean usageSeen = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                fields = true;
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!"usage".equals(name)) {
                    parser.skipChildren();
                    continue;
                }
                if (usageSeen || value != JsonToken.START_OBJECT) {
                    return null;
                }
                usageSeen = true;
                boolean usageFields = false;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    usageFields = true;
                    if (NAME.equals(parser.currentName())) {
                        return null;
                    }
                    parser.nextToken();
                    parser.skipChildren();
                }
                at = parser.currentTokenLocation().getByteOffset();
                needsComma = usageFields;
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                return null;
            }
            if (usageSeen) {
                insert = (needsComma ? "," : "") + "\"" + NAME + "\":" + costMicros;
            } else {
                at = parser.currentTokenLocation().getByteOffset();
                insert = (fields ? "," : "") + "\"usage\":" + charged(costMicros, inputTokens, outputTokens);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (at < 0 || at >= bytes.length) {
            return null;
        }
        int cut = (int) at;
        return Buffer.buffer(bytes.length + insert.length()).appendBytes(bytes, 0, cut)
                .appendBytes(insert.getBytes(StandardCharsets.US_ASCII)).appendBytes(bytes, cut, bytes.length - cut);
    }

    /** Adds the cost to a parsed answer's usage (replacing a usage that is not an object by the usage charged). */
    static void addTo(ObjectNode json, long costMicros, long inputTokens, long outputTokens) {
        JsonNode usage = json.get("usage");
        if (usage instanceof ObjectNode object) {
            object.put(NAME, costMicros);
        } else {
            json.putObject("usage").put("prompt_tokens", inputTokens).put("completion_tokens", outputTokens)
                    .put("total_tokens", inputTokens + outputTokens).put(NAME, costMicros);
        }
    }

    private static String charged(long costMicros, long inputTokens, long outputTokens) {
        return "{\"prompt_tokens\":" + inputTokens + ",\"completion_tokens\":" + outputTokens + ",\"total_tokens\":"
                + (inputTokens + outputTokens) + ",\"" + NAME + "\":" + costMicros + "}";
    }
}
