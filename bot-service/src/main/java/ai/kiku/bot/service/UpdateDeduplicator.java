package ai.kiku.bot.service;

import ai.kiku.bot.config.TelegramConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Telegram retries a webhook it did not see answered and several replicas may get the same
 * update: the first to {@code SET kiku:bot:update:<id> 1 NX EX <ttl>} handles it.
 */
@ApplicationScoped
public class UpdateDeduplicator {

    private final RedisDataSource redis;
    private final String ttlSeconds;

    public UpdateDeduplicator(RedisDataSource redis, TelegramConfig config) {
        this.redis = redis;
        this.ttlSeconds = Long.toString(Math.max(1, config.updateDedupeTtl().toSeconds()));
    }

    public static String key(long updateId) {
        return "kiku:bot:update:" + updateId;
    }

    /** True for the first sighting of {@code updateId}; blocking. */
    public boolean firstSighting(long updateId) {
        Response reply = redis.execute("SET", key(updateId), "1", "NX", "EX", ttlSeconds);
        return reply != null && "OK".equals(reply.toString());
    }

    /** Undoes {@link #firstSighting} when the update could not be taken on, so that Telegram's retry is handled. */
    public void forget(long updateId) {
        redis.execute("DEL", key(updateId));
    }
}
