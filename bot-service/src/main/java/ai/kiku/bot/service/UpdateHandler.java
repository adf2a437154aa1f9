package ai.kiku.bot.service;

import ai.kiku.bot.client.BackendException;
import ai.kiku.bot.client.TelegramFailure;
import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.bot.repository.TelegramUsers;
import com.pengrad.telegrambot.model.CallbackQuery;
import com.pengrad.telegrambot.model.Message;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.model.User;
import com.pengrad.telegrambot.model.message.MaybeInaccessibleMessage;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Locale;

/**
 * Handles one Telegram update on a worker thread: works out the chat and its language, routes commands
 * and button presses, and turns backend failures into a polite answer instead of silence. Edited
 * messages and updates without a user are ignored; stickers and other non-text get a hint.
 */
@ApplicationScoped
public class UpdateHandler {

    private static final Logger LOG = Logger.getLogger(UpdateHandler.class);
    /** Longer than any command the bot takes; such a text is answered, not parsed. */
    static final int MAX_TEXT = 512;

    private final Commands commands;
    private final CallbackRouter callbacks;
    private final TelegramUsers users;
    private final Replies replies;

    public UpdateHandler(Commands commands, CallbackRouter callbacks, TelegramUsers users, Replies replies) {
        this.commands = commands;
        this.callbacks = callbacks;
        this.users = users;
        this.replies = replies;
    }

    /** The chat an update belongs to (for ordering), or 0 when it has none we handle. */
    public static long chatKey(Update update) {
        // ids are boxed: an update without one (never from Telegram, but anyone can post) has chat 0
        if (update.message() != null && update.message().chat() != null && update.message().chat().id() != null) {
            return update.message().chat().id();
        }
        if (update.callbackQuery() != null && update.callbackQuery().from() != null
                && update.callbackQuery().from().id() != null) {
            return update.callbackQuery().from().id();
        }
        return 0;
    }

    public void handle(Update update) {
        Chat chat = null;
        try {
            if (update.message() != null) {
                chat = chatOf(update.message());
                if (chat != null) {
                    onMessage(chat, update.message());
                }
            } else if (update.callbackQuery() != null) {
                CallbackQuery query = update.callbackQuery();
                chat = chatOf(query);
                if (chat != null) {
                    callbacks.route(chat, query);
                }
            }
        } catch (BackendException e) {
            LOG.warnf("update %d: %s", update.updateId(), e.getMessage());
            apologise(chat, chat != null && e.status() >= 400 && e.status() < 500 && e.detail() != null
                    ? chat.t("error.refused", "detail", Texts.html(e.detail())) : null);
        } catch (TelegramFailure e) {
            LOG.warnf("update %d: could not answer: %s", update.updateId(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "update %d: unexpected failure", update.updateId());
            apologise(chat, null);
        }
    }

    private void onMessage(Chat chat, Message message) {
        String text = message.text();
        if (text == null) {
            if (chat.privateChat()) { // a sticker, photo, voice...: say what the bot understands
                replies.send(chat.chatId(), chat.t("input.not_text"), Menus.main(chat.lang()));
            }
            return;
        }
        String trimmed = text.strip();
        if (!trimmed.startsWith("/")) {
            if (chat.privateChat()) {
                replies.send(chat.chatId(), chat.t(trimmed.length() > MAX_TEXT ? "input.too_long" : "input.not_command"),
                        Menus.main(chat.lang()));
            }
            return;
        }
        if (trimmed.length() > MAX_TEXT) {
            if (chat.privateChat()) {
                replies.send(chat.chatId(), chat.t("input.too_long"));
            }
            return;
        }
        int space = indexOfWhitespace(trimmed);
        String command = space < 0 ? trimmed : trimmed.substring(0, space);
        String args = space < 0 ? "" : trimmed.substring(space + 1).strip();
        int at = command.indexOf('@'); // "/balance@kiku_bot" in groups
        if (at >= 0) {
            command = command.substring(0, at);
        }
        command = command.toLowerCase(Locale.ROOT);
        if (!chat.privateChat()) {
            replies.send(chat.chatId(), chat.t("group.private_only"));
            return;
        }
        Chat speaking = chat;
        if ("/start".equals(command)) {
            users.setBlocked(chat.userId(), false); // they are talking to the bot again
            speaking = chat.withLang(users.languageOrInit(chat.userId(), chat.lang()));
        }
        commands.run(speaking, command, args);
    }

    private Chat chatOf(Message message) {
        User from = message.from();
        if (message.chat() == null || message.chat().id() == null || from == null || from.id() == null) {
            return null; // channel posts and service messages have no user to answer
        }
        long chatId = message.chat().id();
        return new Chat(chatId, from.id(), displayName(from), chatId == from.id(), languageOf(from));
    }

    /** Button presses may come without a message (inline messages, Telegram's sample): answer the user directly. */
    private Chat chatOf(CallbackQuery query) {
        User from = query.from();
        if (from == null || from.id() == null) {
            return null;
        }
        MaybeInaccessibleMessage message = query.maybeInaccessibleMessage();
        long chatId = message != null && message.chat() != null && message.chat().id() != null
                ? message.chat().id() : from.id();
        return new Chat(chatId, from.id(), displayName(from), chatId == from.id(), languageOf(from));
    }

    /** The language the user chose, else the one their Telegram app reports. */
    private Lang languageOf(User from) {
        return users.language(from.id()).orElseGet(() -> Lang.fromTelegram(from.languageCode()));
    }

    static String displayName(User user) {
        String name = ((user.firstName() == null ? "" : user.firstName()) + " "
                + (user.lastName() == null ? "" : user.lastName())).strip();
        if (name.isEmpty()) {
            name = user.username() != null ? user.username() : "there";
        }
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    private void apologise(Chat chat, String text) {
        if (chat == null) {
            return;
        }
        try {
            replies.send(chat.chatId(), text != null ? text : Messages.t(chat.lang(), "error.try_later"));
        } catch (RuntimeException e) {
            LOG.warnf("could not send apology: %s", e.getMessage());
        }
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
