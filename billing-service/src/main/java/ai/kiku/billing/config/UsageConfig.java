package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Tuning of the usage-stream consumer that moves settled charges from Redis into PostgreSQL. */
@ConfigMapping(prefix = "kiku.usage")
public interface UsageConfig {

    /** Start the consumer with the application. */
    @WithDefault("true")
    boolean consumerEnabled();

    /** Consumer name inside group {@code billing}; defaults to host name plus a random suffix. */
    Optional<String> consumerName();

    /**
     * Entries read per partition per round. Redis runs each batch's read, acknowledgement and
     * deletion as single commands that every metered call on that node waits behind: 200 took
     * ~0.3 ms apiece, and at 50 the gateway's p99 at 1,000 calls/s was ~0.7 ms lower
     * (3.33 against 4.04 ms, ABBA; docs/performance-history.md).
     */
    @WithDefault("50")
    int batchSize();

    /** Pending entries idle this long belong to a crashed consumer and are claimed. */
    @WithDefault("30s")
    Duration claimMinIdle();

    /** How often each partition is checked for stale pending entries. */
    @WithDefault("10s")
    Duration claimInterval();

    /**
     * Pause after a round that left no partition with a full batch (nothing waiting): under steady
     * traffic the consumer then writes a few large batches a second rather than many small ones.
     */
    @WithDefault("200ms")
    Duration idleBackoff();

    /**
     * Longest pause between reads of a partition whose reads keep coming back empty (doubling from
     * idle-backoff). Polling all 64 every 200 ms was ~320 Redis reads a second per replica with
     * nothing to do; new usage in a quiet partition reaches PostgreSQL at most this much later.
     */
    @WithDefault("2s")
    Duration quietPartitionBackoff();

    /** Longest pause between retries while PostgreSQL or Redis fails (doubles from idle-backoff). */
    @WithDefault("10s")
    Duration maxErrorBackoff();

    /** How often the backlog gauge is refreshed. */
    @WithDefault("5s")
    Duration backlogInterval();
}
