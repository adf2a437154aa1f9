package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The background job queue on {@code kiku:jobs}. */
@ConfigMapping(prefix = "kiku.jobs")
public interface JobsConfig {

    /** Start the job worker with the application. */
    @WithDefault("true")
    boolean workerEnabled();

    /** Attempts before a job goes to the dead-letter stream. */
    @WithDefault("5")
    int maxAttempts();

    /** Delay before the first retry; doubles with every further attempt. */
    @WithDefault("2s")
    Duration backoff();

    /** A job pending this long belongs to a crashed worker and is claimed. */
    @WithDefault("5m")
    Duration claimMinIdle();

    /** Pause when the queue is empty. */
    @WithDefault("500ms")
    Duration pollInterval();

    /** How long job status records stay readable. */
    @WithDefault("7d")
    Duration statusRetention();
}
