package ai.kiku.bot.service;

import ai.kiku.bot.i18n.Lang;
import com.pengrad.telegrambot.model.CallbackQuery;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Button presses. Every press gets exactly one answerCallbackQuery; data the bot did not make (forged) or
 * no longer understands (stale) gets a polite notice and does nothing.
 */
@ApplicationScoped
public class CallbackRouter {

    private static final Pattern KEY_ACTION = Pattern.compile("rv:(ask|y|n):(\\d{1,18})");
    private static final Set<String> MENU_ITEMS = Set.of("balance", "topup", "keys", "usage", "prices", "settings",
            "language", "history");

    private final Commands commands;
    private final AccountCommands accounts;
    private final KeyCommands keys;
    private final TopupCommands topups;
    private final UsageCommands usage;
    private final Replies replies;

    public CallbackRouter(Commands commands, AccountCommands accounts, KeyCommands keys, TopupCommands topups,
                          UsageCommands usage, Replies replies) {
        this.commands = commands;
        this.accounts = accounts;
        this.keys = keys;
        this.topups = topups;
        this.usage = usage;
        this.replies = replies;
    }

    public void route(Chat chat, CallbackQuery query) {
        String data = query.data() == null ? "" : query.data();
        if (!chat.privateChat()) {
            replies.answerCallback(query.id(), chat.t("group.private_only_short"));
            return;
        }
        if (data.startsWith(TopupCommands.CALLBACK_PREFIX)) {
            topups.checkout(chat, query.id(), data.substring(TopupCommands.CALLBACK_PREFIX.length()));
            return;
        }
        if (data.startsWith(Menus.MENU) && MENU_ITEMS.contains(data.substring(Menus.MENU.length()))) {
            replies.answerCallback(query.id(), null);
            commands.run(chat, "/" + data.substring(Menus.MENU.length()), "");
            return;
        }
        if (data.startsWith(Menus.LANGUAGE)) {
            Optional<Lang> lang = Lang.ofCode(data.substring(Menus.LANGUAGE.length()));
            if (lang.isPresent()) {
                accounts.switchLanguage(chat, query.id(), lang.get());
                return;
            }
        }
        if (data.startsWith(Menus.USAGE) && UsageCommands.RANGES.containsKey(data.substring(Menus.USAGE.length()))) {
            replies.answerCallback(query.id(), null);
            usage.usage(chat, data.substring(Menus.USAGE.length()));
            return;
        }
        Matcher m = KEY_ACTION.matcher(data);
        if (m.matches()) {
            long keyId = Long.parseLong(m.group(2));
            switch (m.group(1)) {
                case "ask" -> {
                    replies.answerCallback(query.id(), null);
                    keys.askRevoke(chat, keyId);
                }
                case "y" -> keys.confirmRevoke(chat, query.id(), keyId);
                default -> keys.cancelRevoke(chat, query.id(), keyId);
            }
            return;
        }
        replies.answerCallback(query.id(), chat.t("callback.stale"));
    }
}
