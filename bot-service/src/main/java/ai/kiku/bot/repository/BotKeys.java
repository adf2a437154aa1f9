package ai.kiku.bot.repository;

import ai.kiku.common.redis.KeySchema;

/**
 * Names of the bot's own Redis keys about one Telegram user. Like common's {@link KeySchema} they carry a
 * {@code {pNN}} hash tag (here of the Telegram user id), so a user's keys sit in one Cluster slot.
 */
public final class BotKeys {

    private BotKeys() {
    }

    private static String prefix(long telegramUserId) {
        return "kiku:" + KeySchema.tag(KeySchema.partitionOf(telegramUserId)) + ":tg:";
    }

    /** Hash of the user's settings: {@code lang}, {@code blocked} (they blocked the bot: no more sends). */
    public static String user(long telegramUserId) {
        return prefix(telegramUserId) + "user:" + telegramUserId;
    }

    /** The user's account as billing last answered it (JSON), kept a few minutes. */
    public static String profile(long telegramUserId) {
        return prefix(telegramUserId) + "profile:" + telegramUserId;
    }

    /** Marker of the last notification sent to a chat, kept a second: Telegram's 1 message/s per chat. */
    public static String chatPace(long chatId) {
        return prefix(chatId) + "pace:" + chatId;
    }
}
