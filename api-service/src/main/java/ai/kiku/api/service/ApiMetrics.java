package ai.kiku.api.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The gateway's meters. Durations are histograms with fixed buckets (not client-side percentiles)
 * so p99 can be aggregated across pods. Meters are cached: a lookup per request would cost more
 * than the request itself at our latencies.
 */
@ApplicationScoped
public class ApiMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<String, Timer> upstream = new ConcurrentHashMap<>();
    private final Map<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> usageAnomalies = new ConcurrentHashMap<>();
    private final Counter charged;
    private final Counter disconnects;
    private final Counter settleFailures;

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.charged = Counter.builder("api.charged.micros").description("Micro-USD charged by settled calls")
                .register(registry);
        this.disconnects = Counter.builder("api.stream.client.disconnects")
                .description("Streams whose client left early; upstream read to the end and charged").register(registry);
        this.settleFailures = Counter.builder("api.settle.failures")
                .description("Settles that failed (hold left to expire, call not charged)").register(registry);
    }

    /** The meters of one endpoint, so a request costs no string building or map lookup by tag. */
    public final class Endpoint {
        private final String name;
        private final Timer duration;
        private final Counter[] byStatus = new Counter[600];

        private Endpoint(String name) {
            this.name = name;
            this.duration = durations.computeIfAbsent(name, k -> Timer.builder("api.request.duration")
                    .description("API request duration").tag("endpoint", name)
                    .serviceLevelObjectives(BUCKETS).register(registry));
        }

        /** One finished request of this endpoint. */
        public void request(int status, long nanos) {
            Counter counter = status >= 0 && status < byStatus.length ? byStatus[status] : null;
            if (counter == null) {
                counter = counter(name, status);
                if (status >= 0 && status < byStatus.length) {
                    byStatus[status] = counter; // benign race: the registry returns the same meter
                }
            }
            counter.increment();
            duration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    /** The meters of an endpoint (look it up once, record on it per request). */
    public Endpoint endpoint(String name) {
        return endpoints.computeIfAbsent(name, Endpoint::new);
    }

    private Counter counter(String endpoint, int status) {
        return requests.computeIfAbsent(endpoint + '|' + status, k -> Counter.builder("api.requests")
                .description("API requests by endpoint and status").tag("endpoint", endpoint)
                .tag("status", Integer.toString(status)).register(registry));
    }

    /** One finished API request. */
    public void request(String endpoint, int status, long nanos) {
        endpoint(endpoint).request(status, nanos);
    }

    /** One upstream attempt; outcome ok, rejected, or the failure reason. */
    public void upstream(String provider, String outcome, long nanos) {
        upstream.computeIfAbsent(provider + '|' + outcome, k -> Timer.builder("api.upstream.duration")
                .description("Time to the upstream's answer (headers for streams)").tag("provider", provider)
                .tag("outcome", outcome).serviceLevelObjectives(BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (!"ok".equals(outcome) && !"rejected".equals(outcome)) {
            upstreamError(provider, outcome);
        }
    }

    public void upstreamError(String provider, String reason) {
        upstreamErrors.computeIfAbsent(provider + '|' + reason, k -> Counter.builder("api.upstream.errors")
                .description("Upstream failures by provider and reason").tag("provider", provider)
                .tag("reason", reason).register(registry)).increment();
    }

    /** A provider reported token counts the request does not allow (capped at the bound before charging). */
    public void usageAnomaly(String provider) {
        usageAnomalies.computeIfAbsent(provider, k -> Counter.builder("kiku.upstream.usage.anomalies")
                .description("Provider-reported token counts above what the request allows, or unusable; "
                        + "charged at the bound").tag("provider", provider).register(registry)).increment();
    }

    /** Circuit breaker state of a provider: 0 closed, 1 open, 2 half-open. */
    public void circuitGauge(String provider, AtomicInteger state) {
        Gauge.builder("api.circuit.state", state, AtomicInteger::get)
                .description("Circuit breaker state per provider: 0 closed, 1 open, 2 half-open")
                .tag("provider", provider).register(registry);
    }

    /**
     * The request-body budget: the bytes taken now and its size as gauges, and a counter of the requests it refused;
     * answers the counter to increment on each refusal.
     */
    public Counter bodyBudget(LongSupplier inFlight, long capacity) {
        Gauge.builder("api.body.budget.in.flight", inFlight::getAsLong).baseUnit("bytes")
                .description("Request-body bytes being read (bodies of 64 KiB or more)").register(registry);
        Gauge.builder("api.body.budget.capacity", () -> capacity).baseUnit("bytes")
                .description("Most request-body bytes read at once (kiku.api.body-budget-bytes)").register(registry);
        return Counter.builder("api.body.budget.refusals")
                .description("Requests refused unread with 503: their body did not fit the budget").register(registry);
    }

    public void charged(long micros) {
        charged.increment(micros);
    }

    public void clientDisconnected() {
        disconnects.increment();
    }

    public void settleFailed() {
        settleFailures.increment();
    }
}
