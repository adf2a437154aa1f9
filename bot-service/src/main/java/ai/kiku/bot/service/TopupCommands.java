package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.common.contract.Checkout;
import com.pengrad.telegrambot.model.request.InlineKeyboardButton;
import com.pengrad.telegrambot.model.request.InlineKeyboardMarkup;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** /topup: credit packs from billing's catalogue as buttons; a press asks webhook-service for a Paddle checkout. */
@ApplicationScoped
public class TopupCommands {

    /** Prefix of the callback data of a credit-pack button. */
    public static final String CALLBACK_PREFIX = "topup:";

    /** Telegram's limit on callback_data. */
    private static final int MAX_CALLBACK_BYTES = 64;

    private final Backend backend;
    private final Replies replies;

    public TopupCommands(Backend backend, Replies replies) {
        this.backend = backend;
        this.replies = replies;
    }

    public void offer(Chat chat) {
        if (backend.account(chat.userId()).isEmpty()) {
            replies.send(chat.chatId(), AccountCommands.NO_ACCOUNT);
            return;
        }
        InlineKeyboardMarkup keyboard = new InlineKeyboardMarkup();
        int offered = 0;
        for (CreditPack pack : backend.creditPacks()) {
            String data = CALLBACK_PREFIX + pack.paddlePriceId();
            if (pack.paddlePriceId() == null || data.getBytes(StandardCharsets.UTF_8).length > MAX_CALLBACK_BYTES) {
                continue;
            }
            keyboard.addRow(new InlineKeyboardButton(label(pack)).callbackData(data));
            offered++;
        }
        if (offered == 0) {
            replies.send(chat.chatId(), "Top-ups are not available right now. Please try again later.");
            return;
        }
        replies.send(chat.chatId(), "Choose a credit pack:", keyboard);
    }

    /** A pack button was pressed; {@code priceId} is what follows {@link #CALLBACK_PREFIX}. */
    public void checkout(Chat chat, String callbackQueryId, String priceId) {
        Optional<CreditPack> pack = backend.creditPacks().stream()
                .filter(p -> priceId.equals(p.paddlePriceId())).findFirst();
        if (pack.isEmpty()) {
            replies.answerCallback(callbackQueryId, "This pack is no longer offered; send /topup again.");
            return;
        }
        Optional<AccountView> account = backend.account(chat.userId());
        if (account.isEmpty()) {
            replies.answerCallback(callbackQueryId, null);
            replies.send(chat.chatId(), AccountCommands.NO_ACCOUNT);
            return;
        }
        replies.answerCallback(callbackQueryId, "Creating your checkout…");
        Checkout checkout = backend.checkout(account.get().accountId(), priceId);
        InlineKeyboardMarkup pay = new InlineKeyboardMarkup(
                new InlineKeyboardButton("Pay " + pack.get().priceLabel()).url(checkout.checkoutUrl()));
        replies.send(chat.chatId(), "Checkout for <b>" + html(pack.get().name()) + "</b> ("
                + usd(pack.get().creditsMicros()) + " of credits):\n" + html(checkout.checkoutUrl())
                + "\n\nYour balance is credited as soon as the payment completes; I will tell you here.", pay);
    }

    private static String label(CreditPack pack) {
        String name = pack.name() == null ? usd(pack.creditsMicros()) + " of credits" : pack.name();
        return pack.priceLabel() == null ? name : name + " — " + pack.priceLabel();
    }
}
