package ai.kiku.billing.usage;

import ai.kiku.billing.config.UsageConfig;
import ai.kiku.billing.stream.BackgroundLoop;
import ai.kiku.billing.stream.StreamClient;
import ai.kiku.billing.stream.StreamEntry;
import ai.kiku.common.lifecycle.ShutdownDeadline;
import ai.kiku.common.redis.KeySchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
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
    private final DeadLetters dead;
    private final UsageConfig config;
    private final String consumer;
    private final boolean[] groupReady = new boolean[KeySchema.PARTITIONS];
    private final boolean[] ownPending = new boolean[KeySchema.PARTITIONS];
    /** Partitions whose last read filled a whole batch: the only ones a draining round reads. */
    private final boolean[] full = new boolean[KeySchema.PARTITIONS];
    private boolean draining;
    private long lastFullRound;
    private final QuietPartitions quiet;
    private final long[] lastClaim = new long[KeySchema.PARTITIONS];
    private final long[] lastForget = new long[KeySchema.PARTITIONS];
    private final AtomicLong backlog = new AtomicLong();
    private final Counter failures;
    private long lastBacklog;

    public UsageConsumer(StreamClient streams, UsageBatchProcessor processor, DeadLetters dead, UsageConfig config,
                         MeterRegistry registry) {
        super("usage-consumer");
        this.streams = streams;
        this.dead = dead;
        this.processor = processor;
        this.config = config;
        this.consumer = config.consumerName().orElseGet(UsageConsumer::defaultName);
        this.quiet = new QuietPartitions(KeySchema.PARTITIONS, config.idleBackoff().toMillis(),
                config.quietPartitionBackoff().toMillis());
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

    @Override
    public synchronized void start() {
        // A restart re-reads this consumer's own pending entries first (a name may be stable across restarts).
        Arrays.fill(ownPending, true);
        Arrays.fill(lastClaim, 0);
        quiet.reset();
        super.start();
    }

    public String consumerName() {
        return consumer;
    }

    public long backlog() {
        return backlog.get();
    }

    /**
     * One pass over the partitions. The reads go out together (one wait for the slowest, not 64
     * round trips in a row); the batches are then written one partition at a time. Returns true
     * only when some partition filled a whole batch, i.e. has a backlog: a round that drained
     * everything rests for {@code idle-backoff}, so under steady traffic the consumer writes a few
     * batches a second instead of spinning on tiny ones (the usage is already durable in Redis;
     * PostgreSQL may lag it by a fraction of a second). The rounds that follow a full batch read
     * only the partitions that had one, so draining a busy partition does not poll the 63 quiet
     * ones each time; every {@code idle-backoff} the others are read again, except that a partition
     * whose reads keep coming back empty is read after pauses that double up to
     * {@code quiet-partition-backoff}: an idle platform then costs Redis a few reads a second per
     * replica instead of 64 every idle-backoff, and new usage there waits at most that long.
     */
    @Override
    protected boolean round() {
        RuntimeException failure = null;
        boolean backlogged = false;
        long now = System.currentTimeMillis();
        boolean onlyFull = draining && now - lastFullRound < config.idleBackoff().toMillis();
        draining = false; // stays false if this round fails: the next one reads every partition
        if (!onlyFull) {
            lastFullRound = now;
        }
        List<Uni<Polled>> reads = new ArrayList<>(KeySchema.PARTITIONS);
        for (int p = 0; p < KeySchema.PARTITIONS && !stopping(); p++) {
            if (!ownPending[p] && ((onlyFull && !full[p]) || !quiet.due(p, now))) {
                continue;
            }
            full[p] = false;
            try {
                prepare(p);
                reads.add(read(p));
            } catch (RuntimeException e) {
                failure = failed(p, e, failure);
            }
        }
        List<Polled> polled;
        try {
            polled = reads.isEmpty() ? List.of() : Uni.join().all(reads).andFailFast().await().atMost(CALL_TIMEOUT);
        } catch (RuntimeException e) {
            // e.g. a timeout: some reads may have been delivered without being processed, so every
            // partition re-reads its own pending entries first next time (as after a restart)
            Arrays.fill(ownPending, true);
            failures.increment();
            throw e;
        }
        for (Polled result : polled) {
            if (result.failure() != null) {
                failure = failed(result.partition(), result.failure(), failure);
                continue;
            }
            int p = result.partition();
            try {
                if (result.entries().isEmpty()) {
                    if (result.pending()) {
                        ownPending[p] = false;
                    } else {
                        quiet.empty(p, now);
                    }
                    continue;
                }
                quiet.active(p);
                processor.process(KeySchema.usageLogOfPartition(p), result.entries());
                full[p] = result.entries().size() >= config.batchSize() || result.pending();
                backlogged |= full[p];
            } catch (RuntimeException e) {
                failure = failed(p, e, failure);
            }
        }
        refreshBacklog(failure != null);
        if (failure != null) {
            failures.increment();
            throw failure;
        }
        draining = backlogged;
        return backlogged;
    }

    /** A partition's read: its entries, or why it failed; {@code pending} when it re-read own pending entries. */
    private record Polled(int partition, boolean pending, List<StreamEntry> entries, RuntimeException failure) {
    }

    private RuntimeException failed(int p, Throwable e, RuntimeException first) {
        ownPending[p] = true;
        quiet.active(p);
        if (StreamClient.isNoGroup(e)) {
            groupReady[p] = false;
        }
        RuntimeException error = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        return first == null ? error : first;
    }

    /** The rare per-partition chores, done before the read: create the group, claim a crashed consumer's entries. */
    private void prepare(int p) {
        String stream = KeySchema.usageLogOfPartition(p);
        if (!groupReady[p]) {
            streams.ensureGroup(stream, GROUP).await().atMost(CALL_TIMEOUT);
            groupReady[p] = true;
        }
        long now = System.currentTimeMillis();
        if (now - lastClaim[p] >= config.claimInterval().toMillis()) {
            claimStale(stream);
            lastClaim[p] = now;
            if (now - lastForget[p] >= FORGET_INTERVAL_MS) {
                streams.dropIdleConsumers(stream, GROUP, consumer, FORGET_CONSUMER_AFTER_MS).await().atMost(CALL_TIMEOUT);
                lastForget[p] = now;
            }
        }
    }

    /** This consumer's own pending entries first (after a restart or a failed batch), else new ones. */
    private Uni<Polled> read(int p) {
        boolean pending = ownPending[p];
        return streams.read(KeySchema.usageLogOfPartition(p), GROUP, consumer, config.batchSize(), pending ? "0" : ">")
                .onItemOrFailure().transform((entries, e) -> new Polled(p, pending, entries,
                        e == null ? null : e instanceof RuntimeException r ? r : new IllegalStateException(e)));
    }

    private void claimStale(String stream) {
        String cursor = "0-0";
        do {
            StreamClient.Claimed claimed = streams.claim(stream, GROUP, consumer, config.claimMinIdle().toMillis(),
                    cursor, config.batchSize()).await().atMost(CALL_TIMEOUT);
            if (!claimed.entries().isEmpty()) {
                processor.process(stream, claimed.entries());
            }
            cursor = claimed.cursor();
        } while (!"0-0".equals(cursor) && !stopping());
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
