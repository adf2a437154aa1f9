package ai.kiku.billing.usage;

import ai.kiku.billing.config.UsageConfig;
import ai.kiku.common.lifecycle.ShutdownDeadline;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.stream.ConsumerSettings;
import ai.kiku.common.stream.GroupConsumer;
import ai.kiku.common.stream.StreamClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Moves settled charges from the 64 partition streams into PostgreSQL with at-least-once delivery:
 * common's {@link GroupConsumer} in group {@code billing} (own pending entries first after a restart,
 * a crashed consumer's re-claimed with XAUTOCLAIM), reading the partitions together without blocking,
 * paced by {@link PartitionSchedule}. {@link UsageBatchProcessor} acknowledges and deletes a batch's
 * entries as its last step, after the batch committed; writes are idempotent, so redelivery never
 * doubles a record. While PostgreSQL is down nothing is acknowledged: usage waits in Redis and drains
 * when it returns.
 */
@Singleton
public class UsageConsumer extends GroupConsumer {

    public static final String GROUP = "billing";
    /** Consumer names idle this long with nothing pending belong to replicas that are gone. */
    private static final Duration FORGET_CONSUMER_AFTER = Duration.ofHours(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final StreamClient streams;
    private final DeadLetters dead;
    private final UsageConfig config;
    private final AtomicLong backlog = new AtomicLong();
    private final Counter failures;
    private long lastBacklog;

    public UsageConsumer(StreamClient streams, UsageBatchProcessor processor, DeadLetters dead, UsageConfig config,
                         MeterRegistry registry) {
        super("usage-consumer", streams, partitions(), settings(config),
                new PartitionSchedule(KeySchema.PARTITIONS, config.batchSize(), config.idleBackoff().toMillis(),
                        config.quietPartitionBackoff().toMillis()),
                (stream, entries, stopping) -> {
                    processor.process(stream, entries);
                    return List.of(); // already acknowledged and deleted, in one step, by the processor
                });
        this.streams = streams;
        this.dead = dead;
        this.config = config;
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

    void onStop(@Observes ShutdownEvent event, ShutdownDeadline deadline) {
        stop(deadline.remaining());
    }

    public long backlog() {
        return backlog.get();
    }

    @Override
    protected void afterRound(boolean failed) {
        if (failed) {
            failures.increment();
        }
        refreshBacklog(failed);
    }

    private void refreshBacklog(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastBacklog < config.backlogInterval().toMillis()) {
            return;
        }
        lastBacklog = now;
        try {
            List<Uni<Long>> lengths = new ArrayList<>(KeySchema.PARTITIONS);
            for (int p = 0; p < KeySchema.PARTITIONS; p++) {
                lengths.add(streams.length(KeySchema.usageLogOfPartition(p)));
            }
            backlog.set(Uni.join().all(lengths).andFailFast().await().atMost(CALL_TIMEOUT).stream()
                    .mapToLong(Long::longValue).sum());
            dead.refresh().await().atMost(CALL_TIMEOUT);
        } catch (RuntimeException e) {
            // Redis itself is failing; the consumer round reports it.
        }
    }

    private static List<String> partitions() {
        List<String> out = new ArrayList<>(KeySchema.PARTITIONS);
        for (int p = 0; p < KeySchema.PARTITIONS; p++) {
            out.add(KeySchema.usageLogOfPartition(p));
        }
        return out;
    }

    private static ConsumerSettings settings(UsageConfig config) {
        return new ConsumerSettings(GROUP, config.consumerName().orElseGet(UsageConsumer::defaultName),
                config.batchSize(), Duration.ZERO, config.claimMinIdle(), config.claimInterval(), config.idleBackoff(),
                config.maxErrorBackoff(), CALL_TIMEOUT, Optional.of(FORGET_CONSUMER_AFTER));
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
