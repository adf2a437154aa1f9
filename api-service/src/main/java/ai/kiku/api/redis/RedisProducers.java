package ai.kiku.api.redis;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.redis.LuaScript;
import io.vertx.mutiny.redis.client.Redis;
import ai.kiku.common.redis.RedisSettings;
import io.vertx.redis.client.RedisOptions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * The hot-path Redis client ({@link PinnedRedis}) next to the application's pooled client, reaching the same servers
 * in the same {@code kiku.redis.mode} with the same password and TLS.
 */
public class RedisProducers {

    @Produces
    @Singleton
    @HotPath
    Redis hotPath(Redis pooled, io.vertx.core.Vertx vertx, ApiConfig config, Config settings) {
        if (!config.redisPinned()) {
            return pooled;
        }
        RedisOptions options = hotPathOptions(RedisSettings.from(name -> settings.getOptionalValue(name, String.class)));
        return Redis.newInstance(new PinnedRedis(pooled.getDelegate(), vertx, options,
                config.redisConnectionRenew().toMillis(),
                MoneyCore.meteringScripts().stream().map(LuaScript::loadRequest).toList()));
    }

    /** The pinned client's options: the service's servers, mode, password and TLS, with small per-loop pools. */
    static RedisOptions hotPathOptions(RedisSettings settings) {
        return settings.toOptions().setMaxPoolSize(8).setMaxPoolWaiting(1024).setMaxWaitingHandlers(8192)
                // the pinned client replaces its connection itself on a failover (+switch-master, a refusal such as
                // READONLY), by one with the scripts loaded; failing over in place would keep a socket without them
                .setAutoFailover(false);
    }
}
