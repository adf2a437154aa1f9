package ai.kiku.api.service;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;

/**
 * Token counts when the upstream has not (yet) told us: about one token per three UTF-8 bytes,
 * rounded up. That over-estimates English (OpenAI's rule of thumb is four characters a token) and
 * is about right for CJK text, so reservations err on the side of covering the real cost. Each
 * message adds 4 tokens of framing, each image part 1,000 tokens, every request 3.
 */
public final class TokenEstimator {

    static final int PER_MESSAGE = 4;
    static final int PER_REQUEST = 3;
    static final int PER_IMAGE = 1000;

    private TokenEstimator() {
    }

    public static long tokens(String text) {
        return text == null || text.isEmpty() ? 0 : ofBytes(utf8Length(text));
    }

    /** Tokens of {@code bytes} UTF-8 bytes of text. */
    public static long ofBytes(long bytes) {
        return (bytes + 2) / 3;
    }

    /** Estimated prompt tokens of a chat request's messages (and tool definitions, when given). */
    public static long input(JsonNode messages, JsonNode tools) {
        long tokens = PER_REQUEST;
        for (JsonNode message : messages) {
            tokens += PER_MESSAGE + tokens(message.path("role").asText(""));
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                continue;
            }
            if (content.isTextual()) {
                tokens += tokens(content.asText());
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (part.has("text")) {
                        tokens += tokens(part.path("text").asText(""));
                    } else {
                        tokens += PER_IMAGE;
                    }
                }
            } else {
                tokens += tokens(content.toString());
            }
            JsonNode calls = message.get("tool_calls");
            if (calls != null) {
                tokens += tokens(calls.toString());
            }
        }
        if (tools != null && !tools.isNull()) {
            tokens += tokens(tools.toString());
        }
        return tokens;
    }

    /** UTF-8 length without allocating the encoded bytes. */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
