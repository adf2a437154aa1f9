package ai.kiku.api.standin;

import ai.kiku.api.service.TokenEstimator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The local provider's answer on Anthropic's Messages API: the last user text echoed as a message,
 * or as Anthropic's named stream events (one delta per word), usage counted like local-echo's chat
 * answers and capped at {@code max_tokens}. Lets the Anthropic SDK run against the stand-in setup.
 */
final class LocalMessages {

    private final ObjectMapper mapper;
    private final String id;
    private final String model;
    private final String text;
    private final long inputTokens;
    private final long outputTokens;

    LocalMessages(ObjectMapper mapper, String requestId, JsonNode body) {
        this.mapper = mapper;
        this.id = "msg_" + requestId;
        this.model = body.path("model").asText();
        JsonNode messages = body.path("messages");
        this.text = LocalEchoProvider.capped(LocalEchoProvider.lastUserText(messages), LocalEchoProvider.cap(body));
        this.inputTokens = TokenEstimator.input(messages, body.get("tools"))
                + TokenEstimator.tokens(body.path("system").toString());
        this.outputTokens = TokenEstimator.tokens(text);
    }

    /** The whole message, as a non-streamed call answers it. */
    ObjectNode message() {
        ObjectNode json = envelope(text, outputTokens);
        json.put("stop_reason", "end_turn");
        return json;
    }

    /** The named SSE events of a streamed call. */
    List<Buffer> events() {
        List<Buffer> events = new ArrayList<>();
        events.add(event("message_start", mapper.createObjectNode().put("type", "message_start")
                .set("message", envelope(null, 1))));
        ObjectNode start = mapper.createObjectNode().put("type", "content_block_start").put("index", 0);
        start.putObject("content_block").put("type", "text").put("text", "");
        events.add(event("content_block_start", start));
        for (String piece : LocalEchoProvider.pieces(text)) {
            ObjectNode delta = mapper.createObjectNode().put("type", "content_block_delta").put("index", 0);
            delta.putObject("delta").put("type", "text_delta").put("text", piece);
            events.add(event("content_block_delta", delta));
        }
        events.add(event("content_block_stop", mapper.createObjectNode().put("type", "content_block_stop").put("index", 0)));
        ObjectNode end = mapper.createObjectNode().put("type", "message_delta");
        end.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
        end.putObject("usage").put("output_tokens", outputTokens);
        events.add(event("message_delta", end));
        events.add(event("message_stop", mapper.createObjectNode().put("type", "message_stop")));
        return events;
    }

    private ObjectNode envelope(String content, long output) {
        ObjectNode json = mapper.createObjectNode();
        json.put("id", id).put("type", "message").put("role", "assistant").put("model", model);
        var blocks = json.putArray("content");
        if (content != null) {
            blocks.addObject().put("type", "text").put("text", content);
        }
        json.putNull("stop_reason").putNull("stop_sequence");
        json.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", output);
        return json;
    }

    private static Buffer event(String name, ObjectNode data) {
        return Buffer.buffer("event: " + name + "\ndata: " + data + "\n\n");
    }
}
