package ai.kiku.api.support;

import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.UsageReport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible upstream on loopback speaking the real chat-completions wire protocol (JSON
 * and SSE), for tests and the benchmark. Paths are {@code /<provider>/v1/chat/completions}, so one
 * server plays several providers; the other endpoints ({@code /embeddings}...) are {@link StubEndpoints}. Directives in the last user message choose the behaviour:
 * {@code #fail} 500, {@code #bad} 400, {@code #slow} 300 ms delay, {@code #pause} 1.7 s delay, {@code #nousage} no usage,
 * {@code #truncate} a stream cut after 3 chunks, {@code #long} 20 chunks 100 ms apart, {@code #drip}
 * {@value #DRIP_CHUNKS} chunks 250 ms apart, {@code #endless} a chunk every 200 ms until the
 * connection closes, {@code #usage=<in>,<out>} reports those raw JSON values as prompt and completion
 * tokens. Paths {@code /flaky/...} and {@code /broken.../...} always fail; {@code /limitedopenai/...}, {@code /limitedgroq/...} and
 * {@code /limitedrouter/...} always answer 429 the way OpenAI, Groq and OpenRouter do. Usage reported otherwise: {@value #PROMPT} prompt and
 * {@value #COMPLETION} completion tokens. {@code GET /<provider>/hits} counts calls, {@code GET
 * /<provider>/last} answers the last request body it got. It also plays billing's internal usage API
 * ({@code /internal/v1/accounts/<id>/usage}).
 * <p>
 * Standalone (benchmark, zero latency): {@code java -cp ... ai.kiku.api.support.UpstreamStub <port>}.
 */
public final class UpstreamStub implements AutoCloseable {

    public static final int PROMPT = 20;
    public static final int COMPLETION = 2000;
    public static final int LONG_CHUNKS = 20;
    public static final int DRIP_CHUNKS = 24;
    private static final String USAGE_SLOT = "\"__usage__\"";
    /**
     * {@code #rich}: an answer with a tool call, logprobs in exponent notation and usage details, spaced as a
     * provider may write it, so a test can tell whether the gateway relayed it byte for byte.
     */
    public static final String RICH = "{\"id\":\"chatcmpl-rich\", \"object\":\"chat.completion\",\"created\":1700000000,"
            + "\"model\":\"__model__\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
            + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
            + "\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-1.0e-05,\"bytes\":[120],\"top_logprobs\":[]}]},"
            + "\"finish_reason\":\"tool_calls\"}],\"usage\": {\"prompt_tokens\":20,\"completion_tokens\":2000,"
            + "\"total_tokens\":2020,\"completion_tokens_details\":{\"reasoning_tokens\":0}} ,\"system_fingerprint\":\"fp_1\"}";

    /** Requests as providers take them: a base64 image may be a string longer than Jackson's default limit. */
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile String billingTraceparent = "none";
    private final Map<String, Buffer> lastBodies = new ConcurrentHashMap<>();
    private final Buffer fastAnswer;

    private UpstreamStub(Vertx vertx, int port) throws Exception {
        this.vertx = vertx;
        this.fastAnswer = withUsage(completion("stub-model", "pong", true), usageJson());
        this.server = vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public static UpstreamStub start(int port) {
        try {
            return new UpstreamStub(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2)), port);
        } catch (Exception e) {
            throw new IllegalStateException("stub did not start", e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String baseUrl(String provider) {
        return "http://127.0.0.1:" + port() + "/" + provider + "/v1";
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        String[] parts = path.split("/");
        if (path.startsWith(InternalApi.ACCOUNTS + "/") && path.endsWith("/usage")) {
            hits.computeIfAbsent("billing", k -> new AtomicInteger()).incrementAndGet();
            billingTraceparent = String.valueOf(req.getHeader("traceparent"));
            usage(req, parts[4]);
            return;
        }
        if (path.equals(InternalApi.CATALOGUE)) {
            boolean authorized = "Bearer test-internal-token".equals(req.getHeader("Authorization"));
            req.response().setStatusCode(authorized ? 200 : 401).putHeader("Content-Type", "application/json")
                    .end(authorized ? FakeBilling.CATALOGUE.replace("\"LLM proxy\"", "\"LLM proxy (from billing)\"") : "");
            return;
        }
        if (path.equals("/billing/traceparent")) {
            req.response().end(billingTraceparent);
            return;
        }
        if (parts.length == 3 && "hits".equals(parts[2])) {
            req.response().end(Integer.toString(hits.getOrDefault(parts[1], new AtomicInteger()).get()));
            return;
        }
        if (parts.length == 3 && "last".equals(parts[2])) {
            req.response().putHeader("Content-Type", "application/json").end(lastBodies.getOrDefault(parts[1], Buffer.buffer("{}")));
            return;
        }
        String provider = parts.length > 1 ? parts[1] : "";
        if (path.endsWith("/embeddings")) {
            hits.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
            req.body().onSuccess(body -> {
                lastBodies.put(provider, body);
                StubEndpoints.embeddings(req.response(), body.toJsonObject());
            });
            return;
        }
        if (path.endsWith("/v1/completions") || path.endsWith("/v1/responses")) {
            hits.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
            req.body().onSuccess(body -> {
                lastBodies.put(provider, body);
                if (path.endsWith("/v1/completions")) {
                    StubEndpoints.completions(vertx, req.response(), body.toJsonObject());
                } else {
                    StubEndpoints.responses(vertx, req.response(), body.toJsonObject());
                }
            });
            return;
        }
        if (!path.endsWith("/chat/completions")) {
            req.response().setStatusCode(404).end();
            return;
        }
        hits.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
        req.body().onSuccess(body -> chat(req.response(), provider, body));
    }

    private void chat(HttpServerResponse response, String provider, Buffer body) {
        if ("bench".equals(provider)) {
            response.putHeader("Content-Type", "application/json").end(fastAnswer);
            return;
        }
        lastBodies.put(provider, body);
        JsonObject request = json(body);
        JsonArray messages = request.getJsonArray("messages", new JsonArray());
        String text = messages.isEmpty() ? "" : String.valueOf(messages.getJsonObject(messages.size() - 1).getValue("content"));
        String model = request.getString("model", "");
        if (provider.startsWith("limited")) {
            rateLimited(response, provider);
            return;
        }
        if ("flaky".equals(provider) || provider.startsWith("broken") || text.contains("#fail")) {
            response.setStatusCode(500).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", new JsonObject().put("message", "stub failure")).toBuffer());
            return;
        }
        if (text.contains("#bad")) {
            response.setStatusCode(400).putHeader("Content-Type", "application/json")
                    .end(new JsonObject().put("error", new JsonObject().put("message", "stub says the request is bad")).toBuffer());
            return;
        }
        long delay = text.contains("#slow") ? 300 : text.contains("#pause") ? 1700 : 0;
        boolean usage = !text.contains("#nousage");
        String usageJson = usageDirective(text);
        Runnable answer = () -> {
            if (request.getBoolean("stream", false)) {
                boolean includeUsage = request.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false);
                int chunks = text.contains("#endless") ? Integer.MAX_VALUE : text.contains("#drip") ? DRIP_CHUNKS
                        : text.contains("#long") ? LONG_CHUNKS : 5;
                long pause = text.contains("#endless") ? 200 : text.contains("#drip") ? 250 : text.contains("#long") ? 100
                        : text.contains("#truncate") ? 30 : 0;
                stream(response, model, usage && includeUsage ? usageJson : null, text.contains("#truncate"), chunks, pause);
            } else if (text.contains("#rich")) {
                response.putHeader("Content-Type", "application/json").end(RICH.replace("__model__", model));
            } else {
                response.putHeader("Content-Type", "application/json")
                        .end(withUsage(completion(model, "stub answer", usage), usageJson));
            }
        };
        if (delay > 0) {
            vertx.setTimer(delay, t -> answer.run());
        } else {
            answer.run();
        }
    }

    /**
     * A 429 as each provider sends it: OpenAI's (and Groq's, type {@code tokens}) error object with
     * {@code x-ratelimit-*} and {@code retry-after} headers, or OpenRouter's {@code {"error":{"code":429,...}}}.
     */
    private static void rateLimited(HttpServerResponse response, String provider) {
        response.setStatusCode(429).putHeader("Content-Type", "application/json");
        switch (provider) {
            case "limitedopenai" -> response.putHeader("x-ratelimit-limit-requests", "500")
                    .putHeader("x-ratelimit-remaining-requests", "0").putHeader("x-ratelimit-reset-requests", "120ms")
                    .putHeader("x-ratelimit-limit-tokens", "200000").putHeader("x-ratelimit-remaining-tokens", "199000")
                    .putHeader("x-ratelimit-reset-tokens", "300ms").putHeader("retry-after", "1")
                    .end("{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-stub on requests "
                            + "per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.\",\"type\":\"requests\","
                            + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
            case "limitedgroq" -> response.putHeader("x-ratelimit-limit-requests", "14400")
                    .putHeader("x-ratelimit-remaining-requests", "14370").putHeader("x-ratelimit-reset-requests", "2m59.56s")
                    .putHeader("x-ratelimit-limit-tokens", "6000").putHeader("x-ratelimit-remaining-tokens", "0")
                    .putHeader("x-ratelimit-reset-tokens", "7.66s").putHeader("retry-after", "8")
                    .end("{\"error\":{\"message\":\"Rate limit reached for model `llama-3.1-8b-instant` in organization "
                            + "`org_stub` on tokens per minute (TPM): Limit 6000, Used 6000, Requested 120. Please try again "
                            + "in 7.66s.\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}");
            default -> response.putHeader("X-RateLimit-Limit", "20").putHeader("X-RateLimit-Remaining", "0")
                    .end("{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded: free-models-per-min. \","
                            + "\"metadata\":{\"headers\":{\"X-RateLimit-Limit\":\"20\",\"X-RateLimit-Remaining\":\"0\","
                            + "\"X-RateLimit-Reset\":\"1741305600000\"}}}}");
        }
    }

    /** {@code usage}: the raw usage JSON to report, or null for none. */
    private void stream(HttpServerResponse response, String model, String usage, boolean truncate, int chunks, long pause) {
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        // Timers between chunks so each is flushed on its own (and a cut really cuts after them).
        AtomicInteger sent = new AtomicInteger();
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            if (response.closed()) {
                return;
            }
            int i = sent.getAndIncrement();
            if (truncate && i == 3) {
                response.reset();
                return;
            }
            if (i < chunks) {
                response.write(event(chunk(model, "w" + i + " ", null)));
                if (pause > 0) {
                    vertx.setTimer(pause, t -> next[0].run());
                } else {
                    next[0].run();
                }
                return;
            }
            response.write(event(chunk(model, null, "stop")));
            if (usage != null) {
                response.write(Buffer.buffer("data: ").appendBuffer(withUsage(new JsonObject().put("id", "chatcmpl-stub")
                        .put("object", "chat.completion.chunk").put("model", model).put("choices", new JsonArray())
                        .put("usage", "__usage__"), usage))
                        .appendString("\n\n"));
            }
            response.end("data: [DONE]\n\n");
        };
        next[0].run();
    }

    private void usage(HttpServerRequest req, String accountId) {
        if (!"Bearer test-internal-token".equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end();
            return;
        }
        if ("404".equals(accountId)) {
            req.response().setStatusCode(404).end();
            return;
        }
        if (String.valueOf(req.getParam("from")).startsWith("2025-05-03")) { // billing overloaded
            req.response().setStatusCode(503).end();
            return;
        }
        UsageReport report = new UsageReport(Long.parseLong(accountId), Instant.parse(req.getParam("from")),
                Instant.parse(req.getParam("to")), req.getParam("groupBy"), UsageReport.Row.of(null, 3, 30, 12, 3000),
                List.of(UsageReport.Row.of("2026-11-27", 3, 30, 12, 3000)));
        req.response().putHeader("Content-Type", "application/json").end(FakeBilling.json(report));
    }

    @SuppressWarnings("unchecked")
    private static JsonObject json(Buffer body) {
        try {
            return new JsonObject(JSON.readValue(body.getBytes(), Map.class));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonObject completion(String model, String content, boolean usage) {
        JsonObject json = new JsonObject().put("id", "chatcmpl-stub").put("object", "chat.completion")
                .put("created", 1_700_000_000L).put("model", model)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                        .put("message", new JsonObject().put("role", "assistant").put("content", content))
                        .put("finish_reason", "stop")));
        if (usage) {
            json.put("usage", "__usage__");
        }
        return json;
    }

    /** The JSON with its usage slot (if any) replaced by raw {@code usage} text, which may be any JSON. */
    private static Buffer withUsage(JsonObject json, String usage) {
        if (!json.containsKey("usage")) {
            return json.toBuffer();
        }
        json.put("usage", "__usage__");
        return Buffer.buffer(json.encode().replace(USAGE_SLOT, usage));
    }

    private static String usageJson() {
        return new JsonObject().put("prompt_tokens", PROMPT).put("completion_tokens", COMPLETION)
                .put("total_tokens", PROMPT + COMPLETION).encode();
    }

    /** {@code #usage=<in>,<out>}: raw JSON values to report as prompt and completion tokens. */
    private static String usageDirective(String text) {
        int at = text.indexOf("#usage=");
        if (at < 0) {
            return usageJson();
        }
        int end = at + 7;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        String[] values = text.substring(at + 7, end).split(",", 2);
        return "{\"prompt_tokens\":" + values[0] + ",\"completion_tokens\":" + (values.length > 1 ? values[1] : "0") + "}";
    }

    private static JsonObject chunk(String model, String content, String finish) {
        JsonObject delta = new JsonObject();
        if (content != null) {
            delta.put("content", content);
        }
        return new JsonObject().put("id", "chatcmpl-stub").put("object", "chat.completion.chunk").put("model", model)
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
                        .put("finish_reason", finish)))
                .putNull("usage");
    }

    private static Buffer event(JsonObject json) {
        return Buffer.buffer("data: " + json.encode() + "\n\n");
    }

    @Override
    public void close() {
        vertx.close();
    }

    /** Standalone zero-latency upstream for the benchmark: {@code /bench/v1/chat/completions}. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9099;
        UpstreamStub stub = start(port);
        System.out.println("upstream stub on " + stub.baseUrl("bench"));
        Thread.currentThread().join();
    }
}
