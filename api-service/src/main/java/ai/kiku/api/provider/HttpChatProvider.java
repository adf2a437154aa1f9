package ai.kiku.api.provider;

import ai.kiku.api.config.ProvidersConfig;
import ai.kiku.api.service.ApiMetrics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.util.TypeLiteral;

import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible upstream over HTTP, each endpoint under its base URL ({@link ProxyEndpoint#path()}) (OpenAI, OpenRouter, Groq, vLLM, Ollama...). Each call
 * goes through the provider's own SmallRye Fault Tolerance circuit breaker; while the circuit is
 * open calls fail at once so the proxy falls over to the next provider without waiting. The only
 * retry is reconnecting when no connection could be made (nothing was sent, so it is safe).
 */
public final class HttpChatProvider implements ChatProvider {

    /** Statuses that blame the request itself: passed back to the client, no fallback, not a failure. */
    private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 404, 413, 422);

    private final String name;
    private final ProvidersConfig.Provider config;
    /** The provider types ({@code kiku.providers.<name>.type}). */
    public static final String OPENAI = "openai";
    public static final String ANTHROPIC = "anthropic";
    /** The Messages API version the gateway speaks to Anthropic providers. */
    static final String ANTHROPIC_VERSION = "2023-06-01";

    private final String baseUrl;
    private final boolean anthropic;
    private final HttpClient client;
    private final ObjectMapper mapper;
    private final ApiMetrics metrics;
    private final TypedGuard<Uni<UpstreamReply>> guard;
    private final AtomicInteger circuit = new AtomicInteger();

    public HttpChatProvider(String name, ProvidersConfig.Provider config, Vertx vertx, ObjectMapper mapper,
                            ApiMetrics metrics) {
        this.name = name;
        this.config = config;
        if (!Set.of(OPENAI, ANTHROPIC).contains(config.type())) {
            throw new IllegalArgumentException("kiku.providers." + name + ".type must be openai or anthropic");
        }
        this.anthropic = ANTHROPIC.equals(config.type());
        if (!Set.of("max_tokens", "max_completion_tokens").contains(config.outputCapField())) {
            throw new IllegalArgumentException("kiku.providers." + name
                    + ".output-cap-field must be max_tokens or max_completion_tokens");
        }
        String base = config.baseUrl().endsWith("/") ? config.baseUrl().substring(0, config.baseUrl().length() - 1)
                : config.baseUrl();
        this.baseUrl = base;
        this.mapper = mapper;
        this.metrics = metrics;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setMaxPoolSize(config.maxConnections())
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setTrustAll(false)
                .setVerifyHost(true));
        this.guard = TypedGuard.create(new TypeLiteral<Uni<UpstreamReply>>() {
                })
                .withCircuitBreaker()
                .requestVolumeThreshold(config.failureThreshold())
                .failureRatio(1.0)
                .successThreshold(1)
                .delay(config.circuitDelay().toMillis(), ChronoUnit.MILLIS)
                .name("kiku-provider-" + name)
                .onStateChange(state -> circuit.set(code(state)))
                .done()
                .withThreadOffload(false)
                .build();
        metrics.circuitGauge(name, circuit);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean serves(ProxyEndpoint endpoint) {
        return anthropic == (endpoint == ProxyEndpoint.MESSAGES);
    }

    @Override
    public String outputCapField() {
        return config.outputCapField();
    }

    /** 0 closed, 1 open, 2 half-open. */
    public int circuitState() {
        return circuit.get();
    }

    @Override
    public Uni<UpstreamReply> send(ChatCall call) {
        Buffer payload;
        try {
            payload = Buffer.buffer(mapper.writeValueAsBytes(call.body()));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new ProviderFailure(name, "encode", e.getMessage()));
        }
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(baseUrl + call.endpoint().path())
                .setConnectTimeout(config.connectTimeout().toMillis())
                .setIdleTimeout(config.timeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, call.stream() ? "text/event-stream" : "application/json")
                .putHeader("X-Request-Id", call.requestId());
        if (anthropic) {
            // Anthropic's own headers; a client's anthropic-beta is never passed on (betas change what is billed)
            options.putHeader("anthropic-version", ANTHROPIC_VERSION);
            config.apiKey().ifPresent(key -> options.putHeader("x-api-key", key));
        } else {
            config.apiKey().ifPresent(key -> options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + key));
        }
        long start = System.nanoTime();
        return guard.get(() -> Uni.createFrom().<UpstreamReply>emitter(
                        em -> request(options, payload, call.stream(), config.connectRetries(), em)))
                .onItemOrFailure().invoke((reply, failure) -> {
                    String outcome = failure == null ? (reply.ok() ? "ok" : "rejected") : reason(failure);
                    metrics.upstream(name, outcome, System.nanoTime() - start);
                });
    }

    private void request(RequestOptions options, Buffer payload, boolean stream, int retriesLeft,
                         UniEmitter<? super UpstreamReply> em) {
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                if (retriesLeft > 0) {
                    request(options, payload, stream, retriesLeft - 1, em);
                } else {
                    em.fail(new ProviderFailure(name, "connect", connected.cause().toString()));
                }
                return;
            }
            connected.result().send(payload).onComplete(sent -> {
                if (sent.failed()) {
                    em.fail(new ProviderFailure(name, kind(sent.cause()), sent.cause().toString()));
                    return;
                }
                HttpClientResponse response = sent.result();
                int status = response.statusCode();
                if (status >= 200 && status < 300 && stream) {
                    response.pause();
                    em.complete(UpstreamReply.streaming(response));
                    return;
                }
                response.body().onComplete(body -> {
                    if (body.failed()) {
                        em.fail(new ProviderFailure(name, kind(body.cause()), body.cause().toString()));
                    } else if (status >= 200 && status < 300) {
                        complete(body.result(), em);
                    } else if (CLIENT_ERRORS.contains(status)) {
                        em.complete(UpstreamReply.rejected(status, body.result()));
                    } else {
                        em.fail(new ProviderFailure(name, "http_" + status, null,
                                status == 429 ? retryAfter(response.getHeader("retry-after")) : -1));
                    }
                });
            });
        });
    }

    private void complete(Buffer body, UniEmitter<? super UpstreamReply> em) {
        try {
            JsonNode json = mapper.readTree(body.getBytes());
            if (!(json instanceof ObjectNode object)) {
                em.fail(new ProviderFailure(name, "bad_body", "not a JSON object"));
                return;
            }
            em.complete(UpstreamReply.completion(object, body));
        } catch (java.io.IOException e) {
            em.fail(new ProviderFailure(name, "bad_body", "not JSON"));
        }
    }

    private static String kind(Throwable cause) {
        return cause.getClass().getSimpleName().contains("Timeout") ? "timeout" : "io";
    }

    /** A Retry-After in seconds (OpenAI and Groq send seconds, sometimes fractional); -1 when absent or a date. */
    static long retryAfter(String header) {
        if (header == null) {
            return -1;
        }
        try {
            double seconds = Double.parseDouble(header.trim());
            return seconds >= 0 && seconds < 86_400 ? (long) Math.ceil(seconds) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String reason(Throwable failure) {
        if (failure instanceof ProviderFailure pf) {
            return pf.reason();
        }
        return failure.getClass().getSimpleName().contains("CircuitBreakerOpen") ? "circuit_open" : "error";
    }

    private static int code(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
        };
    }

    /** Closes the connection pool (on shutdown). */
    public void close() {
        client.close();
    }
}
