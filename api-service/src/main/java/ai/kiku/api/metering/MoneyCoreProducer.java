package ai.kiku.api.metering;

import ai.kiku.api.redis.HotPath;
import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The {@link MoneyCore} of the metered path: its Lua calls run over the pinned hot-path Redis
 * connections, where every request pays the round trip.
 */
public class MoneyCoreProducer {

    @Produces
    @Singleton
    @HotPath
    MoneyCore moneyCore(@HotPath Redis redis, MoneyConfig config, MeterRegistry registry) {
        return new MoneyCore(redis, config, registry);
    }
}
