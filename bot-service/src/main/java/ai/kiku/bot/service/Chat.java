package ai.kiku.bot.service;

/**
 * Who wrote and where to answer. {@code privateChat} matters: keys and balances are shown only in
 * the private chat with the user, never in a group.
 */
public record Chat(long chatId, long userId, String displayName, boolean privateChat) {
}
