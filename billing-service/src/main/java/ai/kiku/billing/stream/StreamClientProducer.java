package ai.kiku.billing.stream;

import ai.kiku.common.stream.StreamClient;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Billing's one {@link StreamClient} (common's is not a bean, so services that use no streams carry none). */
@ApplicationScoped
public class StreamClientProducer {

    @Produces
    @Singleton
    StreamClient streamClient(Redis redis) {
        return new StreamClient(redis);
    }
}
