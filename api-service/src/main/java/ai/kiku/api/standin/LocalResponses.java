package ai.kiku.api.standin;

import ai.kiku.api.service.TokenEstimator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * The local provider on the Responses API: the last user text of {@code input} echoed as one output
 * message (cut at {@code max_output_tokens}), as a response object or as the real event sequence
 * ({@code response.created} ... {@code response.output_text.delta} ... {@code response.completed}
 * carrying the usage). Usage: the echoed input text and instructions, a token per three bytes (+3).
 */
final class LocalResponses {

    private final ObjectMapper mapper;
    private final String id;
    private final String messageId;
    private final String model;
    private final JsonNode body;
    private final String text;
    private final long inputTokens;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private int sequence;

    LocalResponses(ObjectMapper mapper, String requestId, JsonNode body) {
        this.mapper = mapper;
        this.id = "resp_" + requestId;
        this.messageId = "msg_" + requestId;
        this.model = body.path("model").asText();
        this.body = body;
        String input = inputText(body.path("input"));
        this.text = LocalEchoProvider.capped(input, LocalEchoProvider.cap(body));
        this.inputTokens = 3 + TokenEstimator.tokens(input) + TokenEstimator.tokens(body.path("instructions").asText(""));
    }

    ObjectNode completed() {
        return response("completed", true);
    }

    List<Buffer> events() {
        List<Buffer> events = new ArrayList<>();
        events.add(event("response.created", node().set("response", response("in_progress", false))));
        events.add(event("response.in_progress", node().set("response", response("in_progress", false))));
        ObjectNode added = node().put("output_index", 0);
        added.set("item", message("in_progress", false));
        events.add(event("response.output_item.added", added));
        events.add(event("response.content_part.added", part().set("part", outputText(""))));
        for (String piece : LocalEchoProvider.pieces(text)) {
            ObjectNode delta = part().put("delta", piece);
            delta.putArray("logprobs");
            events.add(event("response.output_text.delta", delta));
        }
        ObjectNode done = part().put("text", text);
        done.putArray("logprobs");
        events.add(event("response.output_text.done", done));
        events.add(event("response.content_part.done", part().set("part", outputText(text))));
        ObjectNode itemDone = node().put("output_index", 0);
        itemDone.set("item", message("completed", true));
        events.add(event("response.output_item.done", itemDone));
        events.add(event("response.completed", node().set("response", completed())));
        return events;
    }

    private ObjectNode response(String status, boolean finished) {
        ObjectNode json = mapper.createObjectNode();
        json.put("id", id).put("object", "response").put("created_at", createdAt).put("status", status)
                .putNull("error").putNull("incomplete_details").put("model", model);
        json.set("instructions", body.path("instructions").isTextual() ? body.get("instructions") : null);
        json.set("max_output_tokens", body.get("max_output_tokens"));
        json.putObject("metadata");
        if (finished) {
            json.putArray("output").add(message("completed", true));
        } else {
            json.putArray("output");
        }
        json.put("parallel_tool_calls", true).put("temperature", 1.0).put("top_p", 1.0).put("tool_choice", "auto");
        json.set("tools", body.path("tools").isArray() ? body.get("tools") : mapper.createArrayNode());
        if (finished) {
            long outputTokens = TokenEstimator.tokens(text);
            ObjectNode usage = json.putObject("usage");
            usage.put("input_tokens", inputTokens).putObject("input_tokens_details").put("cached_tokens", 0);
            usage.put("output_tokens", outputTokens).putObject("output_tokens_details").put("reasoning_tokens", 0);
            usage.put("total_tokens", inputTokens + outputTokens);
        } else {
            json.putNull("usage");
        }
        return json;
    }

    private ObjectNode message(String status, boolean withText) {
        ObjectNode item = mapper.createObjectNode();
        item.put("type", "message").put("id", messageId).put("status", status).put("role", "assistant");
        if (withText) {
            item.putArray("content").add(outputText(text));
        } else {
            item.putArray("content");
        }
        return item;
    }

    private ObjectNode outputText(String value) {
        ObjectNode part = mapper.createObjectNode().put("type", "output_text").put("text", value);
        part.putArray("annotations");
        return part;
    }

    private ObjectNode part() {
        return node().put("item_id", messageId).put("output_index", 0).put("content_index", 0);
    }

    private ObjectNode node() {
        return mapper.createObjectNode();
    }

    private Buffer event(String type, ObjectNode data) {
        ObjectNode event = mapper.createObjectNode().put("type", type).put("sequence_number", sequence++);
        event.setAll(data);
        return Buffer.buffer("event: " + type + "\ndata: " + event + "\n\n");
    }

    /** The input when it is a string, else the text of its last user message. */
    static String inputText(JsonNode input) {
        if (input.isTextual()) {
            return input.textValue();
        }
        for (int i = input.size() - 1; i >= 0; i--) {
            JsonNode item = input.get(i);
            if (!"user".equals(item.path("role").asText())) {
                continue;
            }
            JsonNode content = item.path("content");
            if (content.isTextual()) {
                return content.textValue();
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                text.append(part.path("text").asText(""));
            }
            return text.toString();
        }
        return "";
    }
}
