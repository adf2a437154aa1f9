package ai.kiku.api.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link UpstreamStub}'s answers on the OpenAI endpoints other than chat, in their real wire shapes.
 * Directives come from the request's {@code user} field (embeddings) or its prompt/input text:
 * {@code #fail} 500, {@code #bad} 400, {@code #usage=<in>[,<out>]} reports those raw JSON values.
 */
final class StubEndpoints {

    /** Prompt tokens an embeddings answer reports by default. */
    static final int EMBED_PROMPT = 3;
    /** Usage a legacy completion reports by default. */
    static final int COMPLETION_PROMPT = 2;
    static final int COMPLETION_OUTPUT = 5;
    /** Usage a response reports by default. */
    static final int RESPONSE_INPUT = 3;
    static final int RESPONSE_OUTPUT = 7;

    private StubEndpoints() {
    }

    /** Whether a directive in {@code text} answered the request already (with a failure). */
    static boolean failed(HttpServerResponse response, String text) {
        if (text.contains("#fail")) {
            response.setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", new JsonObject().put("message", "stub failure")).toBuffer());
            return true;
        }
        if (text.contains("#bad")) {
            response.setStatusCode(400).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", new JsonObject().put("message", "stub says the request is bad"))
                            .toBuffer());
            return true;
        }
        return false;
    }

    static void embeddings(HttpServerResponse response, JsonObject request) {
        String text = request.getString("user", "");
        if (failed(response, text)) {
            return;
        }
        Object input = request.getValue("input");
        int count = input instanceof JsonArray array && !array.isEmpty() && !(array.getValue(0) instanceof Number)
                ? array.size() : 1;
        JsonArray data = new JsonArray();
        for (int i = 0; i < count; i++) {
            data.add(new JsonObject().put("object", "embedding").put("index", i)
                    .put("embedding", new JsonArray().add(0.6).add(0.8)));
        }
        String usage = directive(text, "{\"prompt_tokens\":" + EMBED_PROMPT + ",\"total_tokens\":" + EMBED_PROMPT + "}",
                "prompt_tokens", "total_tokens");
        JsonObject json = new JsonObject().put("object", "list").put("data", data)
                .put("model", request.getString("model", "")).put("usage", "__usage__");
        response.putHeader("Content-Type", "application/json").end(withUsage(json, usage));
    }

    /**
     * Legacy completions: one choice "stub completion"; streamed, three text chunks (100 ms apart with
     * {@code #long}, twenty of them), the usage chunk when asked for, then [DONE].
     */
    static void completions(Vertx vertx, HttpServerResponse response, JsonObject request) {
        String text = String.valueOf(request.getValue("prompt"));
        if (failed(response, text)) {
            return;
        }
        String usage = directive(text, "{\"prompt_tokens\":" + COMPLETION_PROMPT + ",\"completion_tokens\":"
                + COMPLETION_OUTPUT + "}", "prompt_tokens", "completion_tokens");
        String model = request.getString("model", "");
        if (!request.getBoolean("stream", false)) {
            JsonObject json = completion(model).put("choices", new JsonArray().add(new JsonObject()
                    .put("text", "stub completion").put("index", 0).putNull("logprobs").put("finish_reason", "stop")))
                    .put("usage", "__usage__");
            response.putHeader("Content-Type", "application/json").end(withUsage(json, usage));
            return;
        }
        boolean includeUsage = request.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
        int chunks = text.contains("#long") ? 20 : 3;
        List<Buffer> events = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            events.add(data(completion(model).put("choices", new JsonArray().add(new JsonObject()
                    .put("text", "c" + i + " ").put("index", 0).putNull("logprobs").putNull("finish_reason")))));
        }
        events.add(data(completion(model).put("choices", new JsonArray().add(new JsonObject()
                .put("text", "").put("index", 0).putNull("logprobs").put("finish_reason", "stop")))));
        if (includeUsage) {
            events.add(Buffer.buffer("data: ").appendBuffer(withUsage(completion(model).put("choices", new JsonArray())
                    .put("usage", "__usage__"), usage)).appendString("\n\n"));
        }
        events.add(Buffer.buffer("data: [DONE]\n\n"));
        sse(vertx, response, events, text.contains("#long") ? 100 : 0);
    }

    /**
     * Responses API: one output message "stub response"; streamed, the real event sequence with three
     * deltas (twenty, 100 ms apart, with {@code #long}) and the usage in {@code response.completed} (none
     * with {@code #truncate}: the stream just ends).
     * Usage by default: {@value #RESPONSE_INPUT} in, {@value #RESPONSE_OUTPUT} out.
     */
    static void responses(Vertx vertx, HttpServerResponse response, JsonObject request) {
        String text = String.valueOf(request.getValue("input"));
        if (failed(response, text)) {
            return;
        }
        String usage = directive(text, "{\"input_tokens\":" + RESPONSE_INPUT + ",\"output_tokens\":"
                + RESPONSE_OUTPUT + "}", "input_tokens", "output_tokens");
        String model = request.getString("model", "");
        JsonObject message = new JsonObject().put("type", "message").put("id", "msg_stub").put("status", "completed")
                .put("role", "assistant").put("content", new JsonArray().add(new JsonObject().put("type", "output_text")
                        .put("text", "stub response").put("annotations", new JsonArray())));
        JsonObject done = new JsonObject().put("id", "resp_stub").put("object", "response")
                .put("created_at", 1_700_000_000L).put("status", "completed").put("model", model)
                .put("output", new JsonArray().add(message)).put("usage", "__usage__");
        if (!request.getBoolean("stream", false)) {
            response.putHeader("Content-Type", "application/json").end(withUsage(done, usage));
            return;
        }
        int deltas = text.contains("#long") ? 20 : 3;
        List<Buffer> events = new ArrayList<>();
        int[] sequence = {0};
        JsonObject started = done.copy().put("status", "in_progress").put("output", new JsonArray()).putNull("usage");
        events.add(named("response.created", new JsonObject().put("response", started), sequence));
        for (int i = 0; i < deltas; i++) {
            events.add(named("response.output_text.delta", new JsonObject().put("item_id", "msg_stub")
                    .put("output_index", 0).put("content_index", 0).put("delta", "r" + i + " "), sequence));
        }
        JsonObject completed = new JsonObject().put("type", "response.completed").put("sequence_number", sequence[0])
                .put("response", done);
        if (text.contains("#truncate")) { // the stream ends without its terminal event
            sse(vertx, response, events, 0);
            return;
        }
        events.add(Buffer.buffer("event: response.completed\ndata: ").appendBuffer(withUsage(completed, usage))
                .appendString("\n\n"));
        sse(vertx, response, events, text.contains("#long") ? 100 : 0);
    }

    private static Buffer named(String type, JsonObject data, int[] sequence) {
        JsonObject event = new JsonObject().put("type", type).put("sequence_number", sequence[0]++).mergeIn(data);
        return Buffer.buffer("event: " + type + "\ndata: " + event.encode() + "\n\n");
    }

    private static JsonObject completion(String model) {
        return new JsonObject().put("id", "cmpl-stub").put("object", "text_completion").put("created", 1_700_000_000L)
                .put("model", model);
    }

    static Buffer data(JsonObject json) {
        return Buffer.buffer("data: " + json.encode() + "\n\n");
    }

    /** Writes the events as an SSE stream, {@code pause} ms apart (each flushed on its own), then ends it. */
    static void sse(Vertx vertx, HttpServerResponse response, List<Buffer> events, long pause) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        Runnable[] next = new Runnable[1];
        int[] sent = {0};
        next[0] = () -> {
            if (response.closed()) {
                return;
            }
            if (sent[0] == events.size()) {
                response.end();
                return;
            }
            response.write(events.get(sent[0]++));
            if (pause > 0) {
                vertx.setTimer(pause, t -> next[0].run());
            } else {
                next[0].run();
            }
        };
        next[0].run();
    }

    /**
     * {@code #usage=<in>[,<out>]} in {@code text}: those raw values in the {@code in} and {@code out} fields;
     * else {@code otherwise}.
     */
    static String directive(String text, String otherwise, String in, String out) {
        int at = text.indexOf("#usage=");
        if (at < 0) {
            return otherwise;
        }
        int end = at + 7;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '"') {
            end++;
        }
        String[] values = text.substring(at + 7, end).split(",", 2);
        return "{\"" + in + "\":" + values[0] + ",\"" + out + "\":" + (values.length > 1 ? values[1] : "0") + "}";
    }

    /** The JSON with its {@code "__usage__"} slot replaced by raw {@code usage}. */
    static Buffer withUsage(JsonObject json, String usage) {
        return Buffer.buffer(json.encode().replace("\"__usage__\"", usage));
    }
}
