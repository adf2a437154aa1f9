package ai.kiku.bot.repository;

import ai.kiku.bot.i18n.Lang;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.hash.HashCommands;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** What the bot remembers of a Telegram user in Redis: the language chosen and whether the chat blocked the bot. */
@ApplicationScoped
public class TelegramUsers {

    private static final String LANG = "lang";
    private static final String BLOCKED = "blocked";

    private final HashCommands<String, String, String> hashes;

    public TelegramUsers(RedisDataSource redis) {
        this.hashes = redis.hash(String.class);
    }

    public Optional<Lang> language(long telegramUserId) {
        return Lang.ofCode(hashes.hget(BotKeys.user(telegramUserId), LANG));
    }

    public void setLanguage(long telegramUserId, Lang lang) {
        hashes.hset(BotKeys.user(telegramUserId), LANG, lang.code());
    }

    /** Keeps a language chosen before (with /language); stores {@code lang} only for a new user. */
    public Lang languageOrInit(long telegramUserId, Lang lang) {
        String key = BotKeys.user(telegramUserId);
        if (hashes.hsetnx(key, LANG, lang.code())) {
            return lang;
        }
        return Lang.ofCode(hashes.hget(key, LANG)).orElse(lang);
    }

    public boolean blocked(long chatId) {
        return "1".equals(hashes.hget(BotKeys.user(chatId), BLOCKED));
    }

    public void setBlocked(long chatId, boolean blocked) {
        if (blocked) {
            hashes.hset(BotKeys.user(chatId), BLOCKED, "1");
        } else {
            hashes.hdel(BotKeys.user(chatId), BLOCKED);
        }
    }
}
