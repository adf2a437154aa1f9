package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.repository.TelegramUsers;
import ai.kiku.common.contract.AccountView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** /start, /help, /balance, /settings and /language: the account as the user sees it, and how it speaks. */
@ApplicationScoped
public class AccountCommands {

    private final Profiles profiles;
    private final TelegramUsers users;
    private final Replies replies;

    public AccountCommands(Profiles profiles, TelegramUsers users, Replies replies) {
        this.profiles = profiles;
        this.users = users;
        this.replies = replies;
    }

    public void start(Chat chat) {
        AccountView account = profiles.ensure(chat.userId(), chat.displayName());
        replies.send(chat.chatId(), chat.t("start.welcome", "name", html(chat.displayName()),
                "account", account.accountId(), "balance", usd(account.balanceMicros()))
                + "\n\n" + chat.t("commands"), Menus.main(chat.lang()));
    }

    public void help(Chat chat) {
        replies.send(chat.chatId(), chat.t("help.title") + "\n\n" + chat.t("commands"), Menus.main(chat.lang()));
    }

    /** The account, or a hint to /start (then empty). */
    Optional<AccountView> account(Chat chat) {
        Optional<AccountView> found = profiles.account(chat.userId());
        if (found.isEmpty()) {
            replies.send(chat.chatId(), chat.t("account.none"));
        }
        return found;
    }

    public void balance(Chat chat) {
        Optional<AccountView> found = account(chat);
        if (found.isEmpty()) {
            return;
        }
        AccountView a = found.get();
        StringBuilder text = new StringBuilder(chat.t("balance.line", "balance", usd(a.balanceMicros())));
        if (a.heldMicros() != 0) {
            text.append('\n').append(chat.t("balance.held", "held", usd(a.heldMicros()),
                    "available", usd(a.balanceMicros() - a.heldMicros())));
        }
        if (!"active".equals(a.status())) {
            text.append('\n').append(chat.t("balance.status", "status", html(a.status())));
        }
        if (a.balanceMicros() - a.heldMicros() < a.lowBalanceThresholdMicros()) {
            text.append("\n\n").append(chat.t("balance.low"));
        }
        replies.send(chat.chatId(), text.toString());
    }

    public void settings(Chat chat) {
        Optional<AccountView> found = account(chat);
        if (found.isEmpty()) {
            return;
        }
        replies.send(chat.chatId(), chat.t("settings.text", "language", chat.t("language.name"),
                "threshold", usd(found.get().lowBalanceThresholdMicros())), Menus.settings(chat.lang()));
    }

    public void language(Chat chat) {
        replies.send(chat.chatId(), chat.t("language.choose"), Menus.languages());
    }

    /** A language button: stored, confirmed in the new language, with the menu in it. */
    public void switchLanguage(Chat chat, String callbackQueryId, Lang lang) {
        users.setLanguage(chat.userId(), lang);
        Chat now = chat.withLang(lang);
        replies.answerCallback(callbackQueryId, now.t("language.set"));
        replies.send(chat.chatId(), now.t("language.set"), Menus.main(lang));
    }
}
