package ai.kiku.api.config;

import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The gateway's {@link MoneyCore}, over the hot-path Redis client ({@link PinnedRedis}). Qualified,
 * so it neither depends on nor clashes with a default MoneyCore bean from common (whose public
 * constructor currently carries no {@code @Inject}, so CDI skips it).
 */
public class MoneyCoreProducer {

    @Produces
    @Singleton
    @HotPath
    MoneyCore moneyCore(@HotPath Redis redis, MoneyConfig config, MeterRegistry registry) {
        return new MoneyCore(redis, config, registry);
    }
}
