package ai.kiku.billing.health;

import ai.kiku.billing.usage.UsageConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;

/**
 * Live while the usage consumer keeps going round: a wedged loop would silently stop moving usage into
 * PostgreSQL while the service still answers. Every Redis and PostgreSQL call of a round is bounded by
 * 30 s and the loop marks progress between them, so minutes without a beat mean it is stuck.
 */
@Liveness
@ApplicationScoped
public class UsageConsumerLiveness implements HealthCheck {

    private static final Duration STALL = Duration.ofMinutes(5);

    private final UsageConsumer consumer;

    public UsageConsumerLiveness(UsageConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("usage-consumer-loop").status(consumer.live(STALL)).build();
    }
}
