package ai.kiku.common.stream;

import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link GroupConsumer} reads: its group and consumer name, entries per read, how long a read of
 * new entries waits ({@code block}, zero for none), when another consumer's pending entry counts as
 * abandoned ({@code claimMinIdle}) and how often those are looked for, the idle and error backoffs, the
 * bound on one Redis call, and after how long idle consumer names without pending entries are removed.
 */
public record ConsumerSettings(String group, String consumer, int batch, Duration block, Duration claimMinIdle,
                               Duration claimInterval, Duration idleBackoff, Duration maxErrorBackoff,
                               Duration callTimeout, Optional<Duration> forgetIdleConsumersAfter) {

    public ConsumerSettings {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1: " + batch);
        }
        if (block.isNegative() || claimMinIdle.isNegative() || idleBackoff.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }
}
