package ai.kiku.webhook.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Raises what a person must look at (a payment that could not be credited, a dead-lettered event):
 * an ERROR log line and {@code kiku_webhook_alerts_total{reason}} for alerting rules.
 */
@ApplicationScoped
public class Alerts {

    private static final Logger LOG = Logger.getLogger(Alerts.class);

    private final MeterRegistry registry;

    public Alerts(MeterRegistry registry) {
        this.registry = registry;
    }

    public void raise(String reason, String eventId, String detail) {
        LOG.errorf("ALERT %s: Paddle event %s: %s", reason, eventId, detail);
        Counter.builder("kiku.webhook.alerts").description("Paddle events that need an operator")
                .tag("reason", reason).register(registry).increment();
    }
}
