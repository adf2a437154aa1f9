package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The status outbox: how revocations and suspensions committed in PostgreSQL reach Redis. */
@ConfigMapping(prefix = "kiku.outbox")
public interface OutboxConfig {

    /** Run the worker that publishes pending status changes (retries while Redis refuses). */
    @WithDefault("true")
    boolean workerEnabled();

    /** Pause between looks for due rows when there was nothing to do. */
    @WithDefault("250ms")
    Duration pollInterval();

    /** Delay before the first retry of a row Redis refused; doubles per attempt. */
    @WithDefault("100ms")
    Duration backoff();

    /** Ceiling of that delay: a revocation reaches Redis at most about this long after Redis is back. */
    @WithDefault("500ms")
    Duration maxBackoff();

    /** Longest wait for one Redis publish before the attempt counts as failed. */
    @WithDefault("2s")
    Duration publishTimeout();
}
