package ai.kiku.billing.config;

import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.DefaultBean;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Makes {@link MoneyCore} injectable: common's class declares two constructors and no {@code @Inject},
 * so ArC skips it as a bean. A default bean, so it steps aside once common marks its constructor.
 */
public class MoneyCoreProducer {

    @Produces
    @Singleton
    @DefaultBean
    MoneyCore moneyCore(Redis redis, MoneyConfig config, MeterRegistry registry) {
        return new MoneyCore(redis, config, registry);
    }
}
