package ai.kiku.bot.service;

import ai.kiku.bot.client.TelegramFailure;
import ai.kiku.bot.config.NotifyConfig;
import ai.kiku.bot.repository.BotKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps notifications within Telegram's limits, across replicas (the counters live in Redis): at most
 * {@code kiku.notify.max-per-second} messages a second overall, and one a second per chat. A caller over
 * either limit waits for the next free second. Telegram's own 429 {@code retry_after} is honoured by the
 * gateway on top of this.
 */
@ApplicationScoped
public class SendPacer {

    private static final String GLOBAL = "kiku:bot:sent-per-second:";
    /** A wait longer than this gives up (the event stays pending and is retried later). */
    private static final long MAX_WAIT_MS = 30_000;

    private final RedisDataSource redis;
    private final int maxPerSecond;

    public SendPacer(RedisDataSource redis, NotifyConfig config) {
        this.redis = redis;
        this.maxPerSecond = Math.max(1, config.maxPerSecond());
    }

    /** Blocks until a message to {@code chatId} may go out now. */
    public void acquire(long chatId) {
        long deadline = System.currentTimeMillis() + MAX_WAIT_MS;
        String chatKey = BotKeys.chatPace(chatId);
        while (true) {
            Response set = redis.execute("SET", chatKey, "1", "NX", "PX", "1000");
            if (set != null && "OK".equals(set.toString())) {
                break;
            }
            Response ttl = redis.execute("PTTL", chatKey);
            sleepUntil(deadline, Math.max(10, ttl == null ? 100 : ttl.toLong()));
        }
        while (true) {
            long now = System.currentTimeMillis();
            long second = now / 1000;
            String key = GLOBAL + second;
            long n = redis.execute("INCR", key).toLong();
            if (n == 1) {
                redis.execute("PEXPIRE", key, "5000");
            }
            if (n <= maxPerSecond) {
                return;
            }
            sleepUntil(deadline, (second + 1) * 1000 - now + 1);
        }
    }

    private static void sleepUntil(long deadline, long ms) {
        if (System.currentTimeMillis() + ms > deadline) {
            throw new TelegramFailure("send pacing: no free slot within " + MAX_WAIT_MS + " ms", 429, false);
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramFailure("interrupted while pacing", 0, false);
        }
    }
}
