package ai.kiku.api.config;

import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.redis.LuaScript;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Arrays;

/** The hot-path Redis client ({@link PinnedRedis}) next to the application's pooled cluster client. */
public class RedisProducers {

    @Produces
    @Singleton
    @HotPath
    Redis hotPath(Redis pooled, io.vertx.core.Vertx vertx, ApiConfig config,
                  @ConfigProperty(name = "kiku.redis.hosts") String hosts) {
        if (!config.redisPinned()) {
            return pooled;
        }
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER).setMaxPoolSize(8)
                .setMaxPoolWaiting(1024).setMaxWaitingHandlers(8192);
        Arrays.stream(hosts.split(",")).map(String::trim).filter(h -> !h.isEmpty())
                .forEach(options::addConnectionString);
        return Redis.newInstance(new PinnedRedis(pooled.getDelegate(), vertx, options,
                config.redisConnectionRenew().toMillis(),
                MoneyCore.meteringScripts().stream().map(LuaScript::loadRequest).toList()));
    }
}
