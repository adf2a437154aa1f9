package ai.kiku.webhook.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the inbox is processed: polling, leases, retries and dead-lettering. */
@ConfigMapping(prefix = "kiku.webhook")
public interface WebhookConfig {

    /** Base URL under which this service is reachable (the local Paddle simulator links to it). */
    @WithDefault("http://127.0.0.1:8082")
    String url();

    /** Whether this replica processes the inbox (it always receives). */
    @WithDefault("true")
    boolean processorEnabled();

    /** How often each replica looks for due inbox rows (also read by the scheduler). */
    @WithDefault("1s")
    Duration pollInterval();

    /** Rows claimed per poll. */
    @WithDefault("20")
    int batchSize();

    /** How long a claimed row stays invisible to other workers; a crashed worker's row is retried after it. */
    @WithDefault("60s")
    Duration lease();

    /** Attempts before an event is dead-lettered. */
    @WithDefault("12")
    int maxAttempts();

    /** Delay after the first failure; doubled for each further failure. */
    @WithDefault("10s")
    Duration backoffBase();

    /** Longest delay between two attempts. */
    @WithDefault("1h")
    Duration backoffMax();

    /**
     * How long, from its receipt, an adjustment waits for its transaction to be credited before it is
     * dead-lettered. Paddle retries a failed delivery for 3 days, and the transaction is delivered before its
     * adjustment exists, so 4 days leave a day for the transaction's own retries. Waiting spends no attempts.
     */
    @WithDefault("4d")
    Duration awaitTransaction();

    /** How long the credit-pack catalogue fetched from billing is reused. */
    @WithDefault("30s")
    Duration catalogueTtl();
}
