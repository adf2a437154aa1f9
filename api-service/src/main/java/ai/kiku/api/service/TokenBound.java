package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * The most input tokens any provider can bill for a chat request, from the whole body it is sent
 * (messages, tools, legacy functions, response_format schemas, prediction, file and audio data...),
 * so that a reservation is a true upper bound of the bill. No tokenizer makes more tokens than
 * UTF-8 bytes of text (byte-level BPE and byte-fallback tokens each cover at least one byte), and
 * the compact JSON of the body is at least as long as any text a provider renders from it. Each
 * image part counts as the model's image ceiling instead of its URL or base64 bytes. Computed in one
 * pass over the parsed tree, without serialising it. See api-service/README.md, Charging.
 */
public final class TokenBound {

    /** Chat framing per message (start, role, separator, end tokens). */
    public static final int PER_MESSAGE = 4;
    /** Framing per request (the assistant's reply primer). */
    public static final int PER_REQUEST = 3;
    /** Framing a provider adds around each tool or function definition. */
    public static final int PER_TOOL = 8;
    /**
     * Worst case of one image on OpenAI's gpt-4o-class models: high detail scales an image to fit
     * 2048x2048, then its shortest side to 768; 170 tokens per 512 px tile + 85. The most tiles are
     * those of a 768x2048 image: 2 x 4 = 8, so 85 + 170 x 8 = 1,445 tokens (low detail: 85). Models
     * that bill images differently (gpt-4o-mini: 2,833 + 5,667 per tile) need kiku.api.image-tokens.
     */
    public static final int DEFAULT_IMAGE_TOKENS = 1445;

    private TokenBound() {
    }

    /**
     * What bounds one request's input: {@code bytes} of compact JSON text (images left out),
     * {@code images} image parts, {@code messages} messages, {@code tools} tool/function
     * definitions, {@code replayedOutputs} earlier audio answers referenced by id, and
     * {@code predictionBytes} of predicted output (billed as output when rejected).
     */
    public record Count(long bytes, long images, long messages, long tools, long replayedOutputs,
                        long predictionBytes) {

        /** Most input tokens a provider can bill. */
        public long bound(long imageTokens, long outputCap) {
            return Math.addExact(Math.addExact(Math.addExact(PER_REQUEST, bytes), framing()),
                    Math.addExact(Math.multiplyExact(images, imageTokens), Math.multiplyExact(replayedOutputs, outputCap)));
        }

        /** Best guess of the input tokens, charged when a provider reports no usage: a token per 3 bytes. */
        public long estimate(long imageTokens, long outputCap) {
            return Math.addExact(Math.addExact(PER_REQUEST + TokenEstimator.ofBytes(bytes), framing()), Math.addExact(
                    Math.multiplyExact(images, imageTokens), Math.multiplyExact(replayedOutputs, outputCap)));
        }

        private long framing() {
            return Math.addExact(Math.multiplyExact(PER_MESSAGE, messages), Math.multiplyExact(PER_TOOL, tools));
        }
    }

    /** Counts a chat request body as it will be forwarded. A part whose size cannot be known is a 400. */
    public static Count count(ObjectNode body) {
        return count(body, "messages");
    }

    /**
     * Counts a request body whose conversation is the array {@code itemsField} ({@code messages} of chat,
     * {@code input} of the Responses API): each item framed as a message, its image parts as images.
     */
    public static Count count(ObjectNode body, String itemsField) {
        Counter counter = new Counter();
        counter.bytes = 2 + Math.max(0, body.size() - 1);
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            counter.bytes += TokenEstimator.utf8Length(key) + 3;
            if (key.equals(itemsField)) {
                counter.messages(value);
                continue;
            }
            switch (key) {
                case "tools", "functions" -> {
                    counter.tools += value.isArray() ? value.size() : 1;
                    counter.bytes += json(value);
                }
                case "prediction" -> {
                    long bytes = json(value);
                    counter.predictionBytes += bytes;
                    counter.bytes += bytes;
                }
                default -> counter.bytes += json(value);
            }
        }
        return new Count(counter.bytes, counter.images, counter.messages, counter.tools, counter.replayed,
                counter.predictionBytes);
    }

    private static final class Counter {
        long bytes;
        long images;
        long messages;
        long tools;
        long replayed;
        long predictionBytes;

        void messages(JsonNode messages) {
            if (!messages.isArray()) {
                bytes += json(messages);
                return;
            }
            bytes += 2 + Math.max(0, messages.size() - 1);
            for (JsonNode message : messages) {
                this.messages++;
                JsonNode audio = message.get("audio");
                if (audio != null && audio.isObject() && audio.has("id")) {
                    // an earlier audio answer, replayed as input: at most one model output long
                    replayed++;
                }
                bytes += content(message);
            }
        }

        /** A message or content part: images (OpenAI's image_url, Anthropic's image source) count as images, a file by id cannot be bounded. */
        private long content(JsonNode node) {
            if (node.isArray()) {
                long n = 2 + Math.max(0, node.size() - 1);
                for (JsonNode element : node) {
                    n += content(element);
                }
                return n;
            }
            if (!node.isObject()) {
                return json(node);
            }
            long n = 2 + Math.max(0, node.size() - 1);
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode value = field.getValue();
                n += TokenEstimator.utf8Length(field.getKey()) + 3;
                switch (field.getKey()) {
                    case "image_url" -> {
                        images++;
                        n += value.isObject() ? withoutUrl(value) : 0;
                    }
                    case "file" -> {
                        if (value.isObject() && value.hasNonNull("file_id")) {
                            throw ProblemException.badRequest("messages", "file parts by file_id cannot be priced "
                                    + "here; send the file's content as file_data");
                        }
                        n += json(value);
                    }
                    case "content" -> n += content(value);
                    case "source" -> {
                        if ("image".equals(node.path("type").asText())) {
                            images++; // Anthropic's image block: its data or URL counts as the image ceiling
                        } else {
                            n += json(value);
                        }
                    }
                    default -> n += json(value);
                }
            }
            return n;
        }

        /** An image_url object, its {@code url} (link or base64 data) replaced by the image ceiling. */
        private static long withoutUrl(JsonNode image) {
            long n = 2 + Math.max(0, image.size() - 1);
            for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                n += TokenEstimator.utf8Length(field.getKey()) + 3;
                if (!"url".equals(field.getKey()) || !field.getValue().isTextual()) {
                    n += json(field.getValue());
                }
            }
            return n;
        }
    }

    /** Length of {@code node} as compact JSON text (escapes not counted), without serialising it. */
    static long json(JsonNode node) {
        switch (node.getNodeType()) {
            case STRING:
                return TokenEstimator.utf8Length(node.textValue()) + 2L;
            case NUMBER:
                return node.isIntegralNumber() && node.canConvertToLong() ? digits(node.longValue())
                        : node.asText().length();
            case BOOLEAN:
                return node.booleanValue() ? 4 : 5;
            case ARRAY: {
                long n = 2 + Math.max(0, node.size() - 1);
                for (JsonNode element : node) {
                    n += json(element);
                }
                return n;
            }
            case OBJECT: {
                long n = 2 + Math.max(0, node.size() - 1);
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    n += TokenEstimator.utf8Length(field.getKey()) + 3 + json(field.getValue());
                }
                return n;
            }
            case BINARY:
                return node.asText().length() + 2L;
            default:
                return 4; // null (and anything else Jackson may add)
        }
    }

    private static int digits(long v) {
        if (v == Long.MIN_VALUE) {
            return 20;
        }
        int n = v < 0 ? 2 : 1;
        for (long a = Math.abs(v); a >= 10; a /= 10) {
            n++;
        }
        return n;
    }
}
