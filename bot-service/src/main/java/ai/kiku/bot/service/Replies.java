package ai.kiku.bot.service;

import ai.kiku.bot.client.TelegramGateway;
import com.pengrad.telegrambot.model.LinkPreviewOptions;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;
import com.pengrad.telegrambot.model.request.ParseMode;
import com.pengrad.telegrambot.request.AnswerCallbackQuery;
import com.pengrad.telegrambot.request.SendMessage;
import com.pengrad.telegrambot.request.SendPhoto;
import jakarta.enterprise.context.ApplicationScoped;

/** Sends the bot's messages (HTML, no link previews) and photos through the gateway. */
@ApplicationScoped
public class Replies {

    private final TelegramGateway telegram;

    public Replies(TelegramGateway telegram) {
        this.telegram = telegram;
    }

    public void send(long chatId, String html) {
        send(chatId, html, null);
    }

    public void send(long chatId, String html, InlineKeyboardMarkup keyboard) {
        SendMessage message = new SendMessage(chatId, html).parseMode(ParseMode.HTML)
                .linkPreviewOptions(new LinkPreviewOptions().isDisabled(true));
        if (keyboard != null) {
            message.replyMarkup(keyboard);
        }
        telegram.call(message);
    }

    /** A PNG with an HTML caption (at most 1024 characters, Telegram's limit). */
    public void photo(long chatId, byte[] png, String captionHtml, InlineKeyboardMarkup keyboard) {
        SendPhoto photo = new SendPhoto(chatId, png).caption(captionHtml).parseMode(ParseMode.HTML);
        if (keyboard != null) {
            photo.replyMarkup(keyboard);
        }
        telegram.call(photo);
    }

    /** Stops the button's spinner; {@code text} (may be null) shows as a short notice. */
    public void answerCallback(String callbackQueryId, String text) {
        AnswerCallbackQuery answer = new AnswerCallbackQuery(callbackQueryId);
        if (text != null) {
            answer.text(text);
        }
        telegram.call(answer);
    }
}
