package ai.kiku.api.standin;

import ai.kiku.api.service.TokenEstimator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * The built-in {@code local-embed} model: one deterministic unit vector per input (seeded from the
 * SHA-256 of the input, so equal inputs embed equally), {@value #DEFAULT_DIMENSIONS} dimensions unless
 * {@code dimensions} asks otherwise, as floats or base64 little-endian float32 like OpenAI. Reports as
 * prompt tokens the token ids given, or a token per three bytes of text.
 */
final class LocalEmbeddings {

    static final int DEFAULT_DIMENSIONS = 256;
    /** Like OpenAI's largest embedding model; more is refused (400), as upstream. */
    static final int MAX_DIMENSIONS = 3072;

    private LocalEmbeddings() {
    }

    static ObjectNode answer(ObjectMapper mapper, JsonNode body) {
        JsonNode input = body.path("input");
        int dimensions = body.path("dimensions").canConvertToInt() && body.path("dimensions").intValue() > 0
                ? body.path("dimensions").intValue() : DEFAULT_DIMENSIONS;
        boolean base64 = "base64".equals(body.path("encoding_format").asText());
        ObjectNode json = mapper.createObjectNode();
        json.put("object", "list");
        ArrayNode data = json.putArray("data");
        long tokens = 0;
        JsonNode[] inputs = input.isArray() && !input.isEmpty() && !input.get(0).isIntegralNumber()
                ? iterate(input) : new JsonNode[]{input};
        for (int i = 0; i < inputs.length; i++) {
            JsonNode one = inputs[i];
            tokens += one.isArray() ? one.size() : TokenEstimator.tokens(one.asText(""));
            float[] vector = vector(one.toString(), dimensions);
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : vector) {
                    bytes.putFloat(v);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float v : vector) {
                    values.add(v);
                }
            }
        }
        json.put("model", body.path("model").asText());
        json.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return json;
    }

    private static JsonNode[] iterate(JsonNode array) {
        JsonNode[] out = new JsonNode[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i);
        }
        return out;
    }

    /** A unit vector of {@code dimensions} floats, a pure function of {@code text}. */
    static float[] vector(String text, int dimensions) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SplittableRandom random = new SplittableRandom(ByteBuffer.wrap(hash).getLong());
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (random.nextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            vector[i] *= scale;
        }
        return vector;
    }
}
