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
    private final AccountCommands accounts;
    private final Profiles profiles;
    private final Replies replies;

    public TopupCommands(Backend backend, AccountCommands accounts, Profiles profiles, Replies replies) {
        this.backend = backend;
        this.accounts = accounts;
        this.profiles = profiles;
        this.replies = replies;
    }

    public void offer(Chat chat) {
        if (accounts.account(chat).isEmpty()) {
            return;
        }
        InlineKeyboardMarkup keyboard = new InlineKeyboardMarkup();
        int offered = 0;
        for (CreditPack pack : backend.creditPacks()) {
            String data = CALLBACK_PREFIX + pack.paddlePriceId();
            if (pack.paddlePriceId() == null || data.getBytes(StandardCharsets.UTF_8).length > MAX_CALLBACK_BYTES) {
                continue;
            }
            keyboard.addRow(new InlineKeyboardButton(label(chat, pack)).callbackData(data));
            offered++;
        }
        if (offered == 0) {
            replies.send(chat.chatId(), chat.t("topup.unavailable"));
            return;
        }
        replies.send(chat.chatId(), chat.t("topup.choose"), keyboard);
    }

    /** A pack button was pressed; {@code priceId} is what follows {@link #CALLBACK_PREFIX}. */
    public void checkout(Chat chat, String callbackQueryId, String priceId) {
        Optional<CreditPack> pack = backend.creditPacks().stream()
                .filter(p -> priceId.equals(p.paddlePriceId())).findFirst();
        if (pack.isEmpty()) {
            replies.answerCallback(callbackQueryId, chat.t("topup.pack_gone"));
            return;
        }
        Optional<AccountView> account = profiles.account(chat.userId());
        if (account.isEmpty()) {
            replies.answerCallback(callbackQueryId, null);
            replies.send(chat.chatId(), chat.t("account.none"));
            return;
        }
        replies.answerCallback(callbackQueryId, chat.t("topup.creating"));
        Checkout checkout = backend.checkout(account.get().accountId(), priceId);
        InlineKeyboardMarkup pay = new InlineKeyboardMarkup(
                new InlineKeyboardButton(chat.t("topup.pay", "price", pack.get().priceLabel())).url(checkout.checkoutUrl()));
        replies.send(chat.chatId(), chat.t("topup.checkout", "pack", html(pack.get().name()),
                "credits", usd(pack.get().creditsMicros()), "url", html(checkout.checkoutUrl())), pay);
    }

    private static String label(Chat chat, CreditPack pack) {
        String name = pack.name() == null ? chat.t("topup.pack_name", "credits", usd(pack.creditsMicros())) : pack.name();
        return pack.priceLabel() == null ? name : name + " — " + pack.priceLabel();
    }
}
