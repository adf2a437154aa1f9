package ai.kiku.api.support;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Anthropic Messages upstream on loopback speaking Anthropic's wire protocol: {@code POST
 * /<provider>/v1/messages} answering a message object, or with {@code stream} the named SSE events
 * (message_start, content_block_start, ping, content_block_delta..., content_block_stop,
 * message_delta, message_stop), usage as Anthropic reports it, and Anthropic's error bodies and
 * headers. Directives in the last user message: {@code #cache} reports cache writes and reads,
 * {@code #ratelimit} a 429 with {@code retry-after} and {@code anthropic-ratelimit-*} headers,
 * {@code #overload} a 529 overloaded_error, {@code #bad} a 400 invalid_request_error, {@code #drip}
 * {@value #DRIP_DELTAS} deltas 250 ms apart. Reported usage otherwise: {@value #INPUT} input and
 * {@value #OUTPUT} output tokens. {@code GET /<provider>/last} answers the last body, {@code GET
 * /<provider>/auth} the last x-api-key and anthropic-version headers, {@code GET /<provider>/hits} the calls.
 */
public final class AnthropicStub implements AutoCloseable {

    public static final int INPUT = 31;
    public static final int OUTPUT = 7;
    public static final int DRIP_DELTAS = 24;

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final Map<String, Buffer> lastBodies = new ConcurrentHashMap<>();
    private final Map<String, String> lastAuth = new ConcurrentHashMap<>();

    private AnthropicStub(Vertx vertx) throws Exception {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public static AnthropicStub start() {
        try {
            return new AnthropicStub(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1)));
        } catch (Exception e) {
            throw new IllegalStateException("stub did not start", e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** A provider's base URL as configured for the gateway (up to and including the API version). */
    public String baseUrl(String provider) {
        return "http://127.0.0.1:" + port() + "/" + provider + "/v1";
    }

    private void handle(HttpServerRequest req) {
        String[] parts = req.path().split("/");
        if (parts.length == 3 && req.method().name().equals("GET")) {
            String provider = parts[1];
            switch (parts[2]) {
                case "hits" -> req.response().end(Integer.toString(hits.getOrDefault(provider, new AtomicInteger()).get()));
                case "last" -> req.response().putHeader("Content-Type", "application/json")
                        .end(lastBodies.getOrDefault(provider, Buffer.buffer("{}")));
                case "auth" -> req.response().end(lastAuth.getOrDefault(provider, "none"));
                default -> req.response().setStatusCode(404).end();
            }
            return;
        }
        if (parts.length != 4 || !req.path().endsWith("/v1/messages")) {
            error(req.response(), 404, "not_found_error", "Not found");
            return;
        }
        String provider = parts[1];
        hits.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
        lastAuth.put(provider, req.getHeader("x-api-key") + " " + req.getHeader("anthropic-version"));
        req.body().onSuccess(body -> {
            lastBodies.put(provider, body);
            messages(req.response(), body.toJsonObject());
        });
    }

    private void messages(HttpServerResponse response, JsonObject request) {
        JsonArray messages = request.getJsonArray("messages", new JsonArray());
        String text = messages.isEmpty() ? "" : String.valueOf(messages.getJsonObject(messages.size() - 1).getValue("content"));
        String model = request.getString("model", "");
        if (text.contains("#ratelimit")) {
            response.putHeader("retry-after", "12").putHeader("anthropic-ratelimit-requests-limit", "50")
                    .putHeader("anthropic-ratelimit-requests-remaining", "0")
                    .putHeader("anthropic-ratelimit-requests-reset", "2026-12-06T12:00:12Z");
            error(response, 429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit");
            return;
        }
        if (text.contains("#overload")) {
            error(response, 529, "overloaded_error", "Overloaded");
            return;
        }
        if (text.contains("#bad")) {
            error(response, 400, "invalid_request_error", "messages: roles must alternate between \"user\" and \"assistant\"");
            return;
        }
        JsonObject usage = new JsonObject().put("input_tokens", INPUT).put("output_tokens", OUTPUT);
        if (text.contains("#cache")) {
            usage.put("cache_creation_input_tokens", 1000).put("cache_read_input_tokens", 2000)
                    .put("cache_creation", new JsonObject().put("ephemeral_5m_input_tokens", 1000)
                            .put("ephemeral_1h_input_tokens", 0));
        }
        if (!request.getBoolean("stream", false)) {
            response.putHeader("Content-Type", "application/json").putHeader("request-id", "req_stub")
                    .end(message(model, "stub answer", usage).put("stop_reason", "end_turn").toBuffer());
            return;
        }
        stream(response, model, usage, text.contains("#drip") ? DRIP_DELTAS : 3, text.contains("#drip") ? 250 : 0);
    }

    private static JsonObject message(String model, String text, JsonObject usage) {
        JsonArray content = new JsonArray();
        if (text != null) {
            content.add(new JsonObject().put("type", "text").put("text", text));
        }
        return new JsonObject().put("id", "msg_stub01").put("type", "message").put("role", "assistant")
                .put("model", model).put("content", content).put("stop_reason", null).put("stop_sequence", null)
                .put("usage", usage);
    }

    private void stream(HttpServerResponse response, String model, JsonObject usage, int deltas, long pause) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        JsonObject start = usage.copy().put("output_tokens", 1);
        write(response, "message_start", new JsonObject().put("type", "message_start").put("message", message(model, null, start)));
        write(response, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
                .put("content_block", new JsonObject().put("type", "text").put("text", "")));
        write(response, "ping", new JsonObject().put("type", "ping"));
        AtomicInteger sent = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (response.closed()) {
                return;
            }
            int i = sent.getAndIncrement();
            if (i < deltas) {
                write(response, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
                        .put("delta", new JsonObject().put("type", "text_delta").put("text", "w" + i + " ")));
                if (pause > 0) {
                    vertx.setTimer(pause, t -> next[0].run());
                } else {
                    next[0].run();
                }
                return;
            }
            write(response, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0));
            write(response, "message_delta", new JsonObject().put("type", "message_delta")
                    .put("delta", new JsonObject().put("stop_reason", "end_turn").put("stop_sequence", null))
                    .put("usage", new JsonObject().put("output_tokens", usage.getInteger("output_tokens"))));
            write(response, "message_stop", new JsonObject().put("type", "message_stop"));
            response.end();
        };
        next[0].run();
    }

    private static void write(HttpServerResponse response, String event, JsonObject data) {
        response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
    }

    private static void error(HttpServerResponse response, int status, String type, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("request-id", "req_stub")
                .end(new JsonObject().put("type", "error")
                        .put("error", new JsonObject().put("type", type).put("message", message)).toBuffer());
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
