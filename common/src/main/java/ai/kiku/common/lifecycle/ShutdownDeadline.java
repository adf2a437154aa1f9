package ai.kiku.common.lifecycle;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * When a shutting-down instance must be gone: twice the drain delay (serving, then the close phase, which
 * {@link DrainGate} bounds by the drain delay) + {@code kiku.shutdown.timeout} after SIGTERM, as the chart's
 * grace period counts it. Quarkus bounds only its wait for HTTP requests; work stopped after that (consumers,
 * workers) waits for what is left of this budget instead of a fixed time of its own.
 */
@Singleton
public class ShutdownDeadline {

    private final Duration drain;
    private final Duration timeout;
    private volatile long deadlineNanos;
    private volatile boolean started;

    public ShutdownDeadline(@ConfigProperty(name = "kiku.shutdown.drain-delay") Duration drain,
                            @ConfigProperty(name = "kiku.shutdown.timeout") Duration timeout) {
        this.drain = drain;
        this.timeout = timeout;
    }

    void started(@Observes ShutdownStarted event) {
        deadlineNanos = event.atNanos() + drain.multipliedBy(2).plus(timeout).toNanos();
        started = true;
    }

    /** What is left of the shutdown's budget (the whole timeout if no shutdown began), at least 1 ms. */
    public Duration remaining() {
        long left = started ? deadlineNanos - System.nanoTime() : timeout.toNanos();
        return Duration.ofNanos(Math.max(left, Duration.ofMillis(1).toNanos()));
    }
}
