package ai.kiku.billing.usage;

import ai.kiku.billing.config.UsageConfig;
import ai.kiku.billing.stream.BackgroundLoop;
import ai.kiku.billing.stream.StreamClient;
import ai.kiku.billing.stream.StreamEntry;
import ai.kiku.common.redis.KeySchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves settled charges from the 64 partition streams into PostgreSQL with at-least-once delivery:
 * consumer group {@code billing}, entries acknowledged (and deleted) only after the batch committed,
 * stale pending entries of a crashed consumer re-claimed with XAUTOCLAIM. Writes are idempotent, so
 * redelivery never doubles a record. While PostgreSQL is down nothing is acknowledged: usage waits
 * in Redis and drains when it returns.
 */
@Singleton
public class UsageConsumer extends BackgroundLoop {

    public static final String GROUP = "billing";
    /** Consumer names idle this long with nothing pending belong to replicas that are gone. */
    private static final long FORGET_CONSUMER_AFTER_MS = Duration.ofHours(1).toMillis();
    private static final long FORGET_INTERVAL_MS = Duration.ofMinutes(10).toMillis();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final StreamClient streams;
    private final UsageBatchProcessor processor;
    private final UsageConfig config;
    private final String consumer;
    private final boolean[] groupReady = new boolean[KeySchema.PARTITIONS];
    private final boolean[] ownPending = new boolean[KeySchema.PARTITIONS];
    private final long[] lastClaim = new long[KeySchema.PARTITIONS];
    private final long[] lastForget = new long[KeySchema.PARTITIONS];
    private final AtomicLong backlog = new AtomicLong();
    private final Counter failures;
    private long lastBacklog;

    public UsageConsumer(StreamClient streams, UsageBatchProcessor processor, UsageConfig config,
                         MeterRegistry registry) {
        super("usage-consumer");
        this.streams = streams;
        this.processor = processor;
        this.config = config;
        this.consumer = config.consumerName().orElseGet(UsageConsumer::defaultName);
        Gauge.builder("kiku.usage.backlog", backlog, AtomicLong::get)
                .description("Usage stream entries not yet recorded in PostgreSQL (sum over partitions)")
                .register(registry);
        this.failures = Counter.builder("kiku.usage.consumer.failures")
                .description("Consumer rounds that failed (PostgreSQL or Redis unavailable)").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.consumerEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    public synchronized void start() {
        // A restart re-reads this consumer's own pending entries first (a name may be stable across restarts).
        Arrays.fill(ownPending, true);
        Arrays.fill(lastClaim, 0);
        super.start();
    }

    public String consumerName() {
        return consumer;
    }

    public long backlog() {
        return backlog.get();
    }

    @Override
    protected boolean round() {
        int processed = 0;
        RuntimeException failure = null;
        for (int p = 0; p < KeySchema.PARTITIONS && !stopping(); p++) {
            try {
                processed += poll(p);
            } catch (RuntimeException e) {
                ownPending[p] = true;
                if (StreamClient.isNoGroup(e)) {
                    groupReady[p] = false;
                }
                failure = failure == null ? e : failure;
            }
        }
        refreshBacklog(failure != null);
        if (failure != null) {
            failures.increment();
            throw failure;
        }
        return processed > 0;
    }

    private int poll(int p) {
        String stream = KeySchema.usageLogOfPartition(p);
        if (!groupReady[p]) {
            streams.ensureGroup(stream, GROUP).await().atMost(CALL_TIMEOUT);
            groupReady[p] = true;
        }
        int processed = 0;
        long now = System.currentTimeMillis();
        if (now - lastClaim[p] >= config.claimInterval().toMillis()) {
            processed += claimStale(stream);
            lastClaim[p] = now;
            if (now - lastForget[p] >= FORGET_INTERVAL_MS) {
                streams.dropIdleConsumers(stream, GROUP, consumer, FORGET_CONSUMER_AFTER_MS).await().atMost(CALL_TIMEOUT);
                lastForget[p] = now;
            }
        }
        if (ownPending[p]) {
            List<StreamEntry> mine = streams.read(stream, GROUP, consumer, config.batchSize(), "0")
                    .await().atMost(CALL_TIMEOUT);
            if (!mine.isEmpty()) {
                processor.process(stream, mine);
                return processed + mine.size();
            }
            ownPending[p] = false;
        }
        List<StreamEntry> fresh = streams.read(stream, GROUP, consumer, config.batchSize(), ">")
                .await().atMost(CALL_TIMEOUT);
        if (!fresh.isEmpty()) {
            processor.process(stream, fresh);
        }
        return processed + fresh.size();
    }

    private int claimStale(String stream) {
        int processed = 0;
        String cursor = "0-0";
        do {
            StreamClient.Claimed claimed = streams.claim(stream, GROUP, consumer, config.claimMinIdle().toMillis(),
                    cursor, config.batchSize()).await().atMost(CALL_TIMEOUT);
            if (!claimed.entries().isEmpty()) {
                processor.process(stream, claimed.entries());
                processed += claimed.entries().size();
            }
            cursor = claimed.cursor();
        } while (!"0-0".equals(cursor) && !stopping());
        return processed;
    }

    private void refreshBacklog(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastBacklog < config.backlogInterval().toMillis()) {
            return;
        }
        lastBacklog = now;
        try {
            long sum = 0;
            for (int p = 0; p < KeySchema.PARTITIONS; p++) {
                sum += streams.length(KeySchema.usageLogOfPartition(p)).await().atMost(CALL_TIMEOUT);
            }
            backlog.set(sum);
        } catch (RuntimeException e) {
            // Redis itself is failing; the consumer round reports it.
        }
    }

    @Override
    protected Duration idleBackoff() {
        return config.idleBackoff();
    }

    @Override
    protected Duration maxErrorBackoff() {
        return config.maxErrorBackoff();
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "billing";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
