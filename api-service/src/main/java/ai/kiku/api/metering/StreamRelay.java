package ai.kiku.api.metering;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.provider.SseParser;
import ai.kiku.api.provider.Route;
import ai.kiku.api.service.TokenEstimator;
import ai.kiku.common.money.Micros;
import ai.kiku.common.money.SettleResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.jboss.logging.Logger;

import java.util.function.Consumer;

/**
 * Passes an upstream SSE stream through to the client chunk by chunk, learning the real usage on
 * the way. The upstream is always asked for usage; its usage chunk is stripped when the client did
 * not ask for it. A client that leaves mid-stream does not stop the relay: the upstream is read to
 * its end and the real usage charged. Without a usage chunk, the charge is the input estimate plus
 * the output seen (never zero). The final {@code [DONE]} (the Responses API's terminal event) is held
 * back until the charge is settled, so a client that saw it can already read its new balance. What an
 * event means (usage, output text, the end) is the {@link ProxyEndpoint}'s protocol. While bytes flow
 * the hold is kept open ({@link HoldKeeper}); a stream still running at the maximum duration is cut, and charged
 * its reported usage, or the whole reservation when none came (the provider bills it anyway).
 */
final class StreamRelay {

    private static final Logger LOG = Logger.getLogger(StreamRelay.class);
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private final MeteredProxy proxy;
    private final ObjectMapper mapper;
    private final MeteredCall call;
    private final Route route;
    private final ReadStream<Buffer> upstream;
    private final Consumer<Throwable> fallback;
    private final HttpServerResponse response;
    private final SseParser parser = SseParser.named(this::onEvent);

    private boolean headersSent;
    private boolean clientGone;
    private boolean finished;
    private boolean sawDone;
    private int events;
    private JsonNode usage;
    private long outputBytes;
    /** The endpoint's last event when it is not {@code [DONE]} (Responses API), held back like [DONE]. */
    private Buffer terminal;

    StreamRelay(MeteredProxy proxy, ObjectMapper mapper, MeteredCall call, Route route, ReadStream<Buffer> upstream,
                Consumer<Throwable> fallback) {
        this.proxy = proxy;
        this.mapper = mapper;
        this.call = call;
        this.route = route;
        this.upstream = upstream;
        this.fallback = fallback;
        this.response = call.ctx().response();
    }

    void start() {
        call.keeper().streaming();
        call.keeper().cutBy(this::cut);
        upstream.handler(chunk -> {
            if (!finished) {
                call.keeper().progress();
                parser.feed(chunk);
            }
        });
        upstream.exceptionHandler(this::upstreamFailed);
        upstream.endHandler(v -> {
            if (!finished) {
                parser.finish();
                upstreamEnded();
            }
        });
        response.closeHandler(v -> clientLeft());
        if (response.closed()) {
            clientLeft();
        }
        upstream.resume();
    }

    private void onEvent(String name, String payload) {
        if (finished) {
            return;
        }
        events++;
        if ("[DONE]".equals(payload.trim())) {
            sawDone = true;
            return;
        }
        ProxyEndpoint endpoint = call.request().endpoint();
        String out = payload;
        JsonNode node = parse(payload);
        if (node instanceof ObjectNode chunk) {
            outputBytes += endpoint.streamOutputBytes(chunk);
            JsonNode usage = endpoint.streamUsage(this.usage, chunk);
            if (usage != this.usage) {
                this.usage = usage;
                if (!call.request().clientWantsUsage()) {
                    JsonNode choices = chunk.get("choices");
                    if (choices == null || choices.isEmpty()) {
                        return;
                    }
                    chunk.remove("usage");
                    out = chunk.toString();
                } else {
                    out = withCost(payload, chunk, usage);
                }
            }
            if (endpoint.isTerminal(chunk)) {
                sawDone = true;
                terminal = event(name, out);
                return;
            }
        }
        write(event(name, out));
    }

    /**
     * The usage chunk with what the call is charged for it: settling charges exactly the cost of these
     * (bounded) tokens, so it is known before the settle ends the stream.
     */
    private String withCost(String payload, ObjectNode chunk, JsonNode usage) {
        UsageBounds.Tokens tokens = UsageBounds.reported(call.request(), usage);
        long cost = MeteredProxy.cost(call.request(), tokens.in(), tokens.out());
        JsonNode own = chunk.get("usage");
        if (own == null || !own.isObject()) {
            // the usage sits inside the event (the Responses API's response.usage): it takes the cost there
            if (chunk.path("response").get("usage") instanceof ObjectNode nested) {
                nested.put(CostField.NAME, cost);
                return chunk.toString();
            }
            return payload;
        }
        Buffer spliced = CostField.splice(Buffer.buffer(payload), cost, tokens.in(), tokens.out());
        if (spliced != null) {
            return spliced.toString();
        }
        CostField.addTo(chunk, cost, tokens.in(), tokens.out());
        return chunk.toString();
    }

    private static Buffer event(String name, String data) {
        return Buffer.buffer(name == null ? "data: " + data + "\n\n" : "event: " + name + "\ndata: " + data + "\n\n");
    }

    private void write(Buffer bytes) {
        if (clientGone) {
            return;
        }
        if (!headersSent) {
            headersSent = true;
            response.setStatusCode(200).setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                    .putHeader("X-Accel-Buffering", "no")
                    .putHeader("X-Kiku-Provider", route.provider().name());
        }
        try {
            response.write(bytes);
        } catch (IllegalStateException closed) {
            clientLeft();
            return;
        }
        if (response.writeQueueFull()) {
            upstream.pause();
            response.drainHandler(v -> upstream.resume());
        }
    }

    private void clientLeft() {
        if (finished || clientGone) {
            return;
        }
        clientGone = true;
        proxy.metrics().clientDisconnected();
        LOG.debugf("request %s: client left mid-stream; reading upstream to the end", call.requestId());
        upstream.resume();
    }

    private void upstreamFailed(Throwable failure) {
        if (finished) {
            return;
        }
        proxy.metrics().upstreamError(route.provider().name(), "stream");
        if (events == 0) {
            finished = true;
            fallback.accept(failure);
            return;
        }
        LOG.warnf("request %s: stream from %s broke after %d events: %s", call.requestId(),
                route.provider().name(), events, failure.toString());
        finish(true);
    }

    /** The maximum duration passed: stop reading, close the upstream, charge, and tell the client. */
    private void cut() {
        if (finished) {
            return;
        }
        LOG.warnf("request %s: stream from %s still running after %d ms; cut", call.requestId(),
                route.provider().name(), call.keeper().maxMillis());
        end(true, true);
        abandon(upstream);
    }

    /** Stops reading an upstream stream and closes its connection. */
    static void abandon(ReadStream<Buffer> upstream) {
        if (upstream instanceof HttpClientResponse http) {
            http.request().reset();
        } else {
            upstream.handler(null);
            upstream.pause();
        }
    }

    private void upstreamEnded() {
        if (events == 0) {
            finished = true;
            fallback.accept(new IllegalStateException("upstream stream ended empty"));
            return;
        }
        finish(!sawDone);
    }

    private void finish(boolean truncated) {
        end(truncated, false);
    }

    private void end(boolean truncated, boolean cut) {
        finished = true;
        if (!call.keeper().finish()) {
            return;
        }
        UsageBounds.Tokens tokens;
        if (usage != null) {
            tokens = proxy.bounded(call, route, usage);
        } else if (cut) {
            tokens = UsageBounds.worstCase(call.request());
        } else {
            tokens = UsageBounds.estimated(call.request(), TokenEstimator.ofBytes(outputBytes));
            LOG.infof("request %s: no usage reported by %s; charging the estimate (%d in, %d out)",
                    call.requestId(), route.provider().name(), tokens.in(), tokens.out());
        }
        long in = tokens.in();
        long out = tokens.out();
        if (proxy.answersBehindSettle(call)) {
            proxy.settleAhead(call, in, out, () -> tail(null, truncated, cut));
            return;
        }
        proxy.settle(call, in, out).subscribe().with(settled -> tail(settled, truncated, cut), failure -> {
            proxy.settleFailed(call, failure);
            tail(null, truncated, cut);
        });
    }

    private void tail(SettleResult settled, boolean truncated, boolean cut) {
        if (clientGone || response.closed()) {
            return;
        }
        if (settled != null && call.ownShape()) {
            ObjectNode charge = mapper.createObjectNode();
            charge.put("object", "kiku.charge").put("requestId", call.requestId())
                    .put("provider", route.provider().name())
                    .put("costMicros", settled.chargedMicros()).put("cost", Micros.format(settled.chargedMicros()))
                    .put("balanceMicros", settled.balanceMicros()).put("balance", Micros.format(settled.balanceMicros()));
            write(Buffer.buffer("data: " + charge + "\n\n"));
        }
        if (cut) {
            write(error("the stream ran longer than this gateway's maximum of " + call.keeper().maxMillis() / 1000
                    + " s and was cut", "timeout", "stream_cut"));
        } else if (truncated) {
            write(error("the upstream stream ended before completion", "upstream_error", "upstream_truncated"));
        } else {
            write(terminal != null ? terminal : DONE.copy());
        }
        if (!clientGone) {
            response.end();
        }
    }

    /** The error ending a broken stream: OpenAI's error chunk, or the Responses or Messages API's {@code error} event. */
    private Buffer error(String message, String type, String code) {
        ObjectNode error = mapper.createObjectNode();
        if (call.request().endpoint() == ProxyEndpoint.MESSAGES) {
            // Anthropic's error event: what its SDKs raise when a stream fails midway
            error.put("type", "error").putObject("error").put("type", "api_error").put("message", message)
                    .put("code", code);
            return event("error", error.toString());
        }
        if (call.request().endpoint().endsWithDone()) {
            error.putObject("error").put("message", message).put("type", type).putNull("param").put("code", code);
            return event(null, error.toString());
        }
        error.put("type", "error").put("code", code).put("message", message).putNull("param")
                .put("sequence_number", events);
        return event("error", error.toString());
    }

    private JsonNode parse(String payload) {
        try {
            return mapper.readTree(payload);
        } catch (Exception e) {
            return null;
        }
    }
}
