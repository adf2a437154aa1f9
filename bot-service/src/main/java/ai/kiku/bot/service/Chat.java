package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;

/**
 * Who wrote and where to answer, in which language. {@code privateChat} matters: keys and balances are
 * shown only in the private chat with the user, never in a group.
 */
public record Chat(long chatId, long userId, String displayName, boolean privateChat, Lang lang) {

    /** The text of {@code key} in this chat's language; {@code args} are name, value pairs. */
    public String t(String key, Object... args) {
        return Messages.t(lang, key, args);
    }

    public Chat withLang(Lang other) {
        return new Chat(chatId, userId, displayName, privateChat, other);
    }
}
