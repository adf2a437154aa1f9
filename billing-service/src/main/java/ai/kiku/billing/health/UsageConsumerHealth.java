package ai.kiku.billing.health;

import ai.kiku.billing.config.UsageConfig;
import ai.kiku.billing.usage.UsageConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Reports whether the usage consumer runs, with the current backlog, on {@code /q/health/ready}. */
@Readiness
@ApplicationScoped
public class UsageConsumerHealth implements HealthCheck {

    private final UsageConsumer consumer;
    private final UsageConfig config;

    public UsageConsumerHealth(UsageConsumer consumer, UsageConfig config) {
        this.consumer = consumer;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = consumer.isRunning() || !config.consumerEnabled();
        return HealthCheckResponse.named("usage-consumer").status(up)
                .withData("running", consumer.isRunning())
                .withData("consumer", consumer.consumerName())
                .withData("backlog", consumer.backlog())
                .build();
    }
}
