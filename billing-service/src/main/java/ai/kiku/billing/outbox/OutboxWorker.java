package ai.kiku.billing.outbox;

import ai.kiku.billing.config.OutboxConfig;
import ai.kiku.common.stream.BackgroundLoop;
import ai.kiku.common.lifecycle.ShutdownDeadline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps publishing status changes whose first publish failed (Redis down, failing over), so a
 * revocation or suspension committed in PostgreSQL always reaches Redis once Redis takes writes.
 */
@Singleton
public class OutboxWorker extends BackgroundLoop {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final int ACCOUNTS_PER_ROUND = 100;

    private final StatusOutbox outbox;
    private final StatusPropagator propagator;
    private final OutboxConfig config;
    private final AtomicLong due = new AtomicLong();

    public OutboxWorker(StatusOutbox outbox, StatusPropagator propagator, OutboxConfig config, MeterRegistry registry) {
        super("status-outbox");
        this.outbox = outbox;
        this.propagator = propagator;
        this.config = config;
        Gauge.builder("kiku.outbox.due.accounts", due, AtomicLong::get)
                .description("Accounts with status changes committed in PostgreSQL but not yet published to Redis "
                        + "(last round; alert when it stays above 0)").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.workerEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event, ShutdownDeadline deadline) {
        stop(deadline.remaining());
    }

    @Override
    protected boolean round() {
        List<Long> accounts = outbox.dueAccounts(Instant.now(), ACCOUNTS_PER_ROUND).await().atMost(CALL_TIMEOUT);
        due.set(accounts.size());
        boolean progressed = false;
        for (long accountId : accounts) {
            if (stopping()) {
                break;
            }
            progressed |= propagator.drain(accountId).await().atMost(CALL_TIMEOUT);
        }
        // Rows that failed are not due again before their backoff: rest, unless something went out.
        return progressed && accounts.size() == ACCOUNTS_PER_ROUND;
    }

    @Override
    protected Duration idleBackoff() {
        return config.pollInterval();
    }

    @Override
    protected Duration maxErrorBackoff() {
        return Duration.ofSeconds(5);
    }
}
