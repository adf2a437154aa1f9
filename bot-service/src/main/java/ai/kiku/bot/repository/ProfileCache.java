package ai.kiku.bot.repository;

import ai.kiku.common.contract.AccountView;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * A user's account as billing last answered it, for {@link #TTL} (the plan's cache table: profile, 5 min),
 * so that a command costs no billing round trip when nothing changed. Anything that changes the account
 * (a notification about it, /alert, a key change, a top-up) drops the entry.
 */
@ApplicationScoped
public class ProfileCache {

    public static final Duration TTL = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(ProfileCache.class);

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final ObjectMapper json;

    public ProfileCache(RedisDataSource redis, ObjectMapper json) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.json = json;
    }

    public Optional<AccountView> get(long telegramUserId) {
        String cached = values.get(BotKeys.profile(telegramUserId));
        if (cached == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(cached, AccountView.class));
        } catch (JsonProcessingException e) {
            LOG.warnf("cached profile of %d unreadable, ignored: %s", telegramUserId, e.getOriginalMessage());
            return Optional.empty();
        }
    }

    public void put(long telegramUserId, AccountView account) {
        try {
            values.set(BotKeys.profile(telegramUserId), json.writeValueAsString(account), new SetArgs().px(TTL));
        } catch (JsonProcessingException e) {
            LOG.warnf("profile of %d not cached: %s", telegramUserId, e.getOriginalMessage());
        }
    }

    public void invalidate(long telegramUserId) {
        redis.key().del(BotKeys.profile(telegramUserId));
    }
}
