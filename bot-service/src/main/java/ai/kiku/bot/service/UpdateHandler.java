package ai.kiku.bot.service;

import ai.kiku.bot.client.BackendException;
import ai.kiku.bot.client.TelegramFailure;
import com.pengrad.telegrambot.model.CallbackQuery;
import com.pengrad.telegrambot.model.Message;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.model.User;
import com.pengrad.telegrambot.model.message.MaybeInaccessibleMessage;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Locale;

/**
 * Handles one Telegram update on a worker thread: routes commands and button presses, and turns
 * backend failures into a polite answer instead of silence.
 */
@ApplicationScoped
public class UpdateHandler {

    private static final Logger LOG = Logger.getLogger(UpdateHandler.class);
    private static final String TRY_LATER = "Sorry, that did not work — KikuAI is having trouble right now. "
            + "Please try again in a minute.";

    private final AccountCommands accounts;
    private final KeyCommands keys;
    private final TopupCommands topups;
    private final Replies replies;

    public UpdateHandler(AccountCommands accounts, KeyCommands keys, TopupCommands topups, Replies replies) {
        this.accounts = accounts;
        this.keys = keys;
        this.topups = topups;
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
                if (chat != null && update.message().text() != null) {
                    onText(chat, update.message().text());
                }
            } else if (update.callbackQuery() != null) {
                CallbackQuery query = update.callbackQuery();
                chat = chatOf(query);
                if (chat != null) {
                    onCallback(chat, query);
                }
            }
        } catch (BackendException e) {
            LOG.warnf("update %d: %s", update.updateId(), e.getMessage());
            apologise(chat, e.status() >= 400 && e.status() < 500 && e.detail() != null
                    ? "Sorry, that was refused: " + Texts.html(e.detail()) : TRY_LATER);
        } catch (TelegramFailure e) {
            LOG.warnf("update %d: could not answer: %s", update.updateId(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "update %d: unexpected failure", update.updateId());
            apologise(chat, TRY_LATER);
        }
    }

    private void onText(Chat chat, String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith("/")) {
            if (chat.privateChat()) {
                replies.send(chat.chatId(), "I understand commands only.\n\n" + Texts.COMMANDS);
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
        if (!chat.privateChat() && !"/help".equals(command)) {
            replies.send(chat.chatId(), "For your privacy I answer that only in a private chat with me.");
            return;
        }
        switch (command) {
            case "/start" -> accounts.start(chat);
            case "/balance" -> accounts.balance(chat);
            case "/usage" -> accounts.usage(chat);
            case "/topup" -> topups.offer(chat);
            case "/keys" -> keys.list(chat);
            case "/newkey" -> keys.create(chat, args);
            case "/revoke" -> keys.revoke(chat, args);
            case "/help" -> accounts.help(chat);
            default -> replies.send(chat.chatId(), "Unknown command.\n\n" + Texts.COMMANDS);
        }
    }

    private void onCallback(Chat chat, CallbackQuery query) {
        String data = query.data() == null ? "" : query.data();
        if (data.startsWith(TopupCommands.CALLBACK_PREFIX) && chat.privateChat()) {
            topups.checkout(chat, query.id(), data.substring(TopupCommands.CALLBACK_PREFIX.length()));
        } else {
            replies.answerCallback(query.id(), "This button is no longer valid.");
        }
    }

    private static Chat chatOf(Message message) {
        User from = message.from();
        if (message.chat() == null || message.chat().id() == null || from == null || from.id() == null) {
            return null; // channel posts and service messages have no user to answer
        }
        long chatId = message.chat().id();
        return new Chat(chatId, from.id(), displayName(from), chatId == from.id());
    }

    /** Button presses may come without a message (inline messages, Telegram's sample): answer the user directly. */
    private static Chat chatOf(CallbackQuery query) {
        User from = query.from();
        if (from == null || from.id() == null) {
            return null;
        }
        MaybeInaccessibleMessage message = query.maybeInaccessibleMessage();
        long chatId = message != null && message.chat() != null && message.chat().id() != null
                ? message.chat().id() : from.id();
        return new Chat(chatId, from.id(), displayName(from), chatId == from.id());
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
            replies.send(chat.chatId(), text);
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
