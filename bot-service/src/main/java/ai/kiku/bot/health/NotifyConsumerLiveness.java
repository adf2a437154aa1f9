package ai.kiku.bot.health;

import ai.kiku.bot.service.NotifyConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the notification loop keeps going round; a wedged loop would silently stop all notifications. */
@Liveness
@ApplicationScoped
public class NotifyConsumerLiveness implements HealthCheck {

    private final NotifyConsumer consumer;

    public NotifyConsumerLiveness(NotifyConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("notify-consumer").status(consumer.healthy()).build();
    }
}
