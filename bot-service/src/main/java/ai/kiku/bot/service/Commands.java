package ai.kiku.bot.service;

import jakarta.enterprise.context.ApplicationScoped;

/** Routes a private-chat command to its handler; the main menu's buttons land here too. */
@ApplicationScoped
public class Commands {

    private final AccountCommands accounts;
    private final KeyCommands keys;
    private final TopupCommands topups;
    private final PriceCommands prices;
    private final HistoryCommands history;
    private final AlertCommands alerts;
    private final UsageCommands usage;
    private final Replies replies;

    public Commands(AccountCommands accounts, KeyCommands keys, TopupCommands topups, PriceCommands prices,
                    HistoryCommands history, AlertCommands alerts, UsageCommands usage, Replies replies) {
        this.accounts = accounts;
        this.keys = keys;
        this.topups = topups;
        this.prices = prices;
        this.history = history;
        this.alerts = alerts;
        this.usage = usage;
        this.replies = replies;
    }

    /** {@code command} is lower case with its slash ({@code /keys}); {@code args} what followed, stripped. */
    public void run(Chat chat, String command, String args) {
        switch (command) {
            case "/start" -> accounts.start(chat);
            case "/help", "/menu" -> accounts.help(chat);
            case "/balance" -> accounts.balance(chat);
            case "/settings" -> accounts.settings(chat);
            case "/language" -> accounts.language(chat);
            case "/usage" -> usage.usage(chat, args);
            case "/topup" -> topups.offer(chat);
            case "/keys" -> keys.list(chat);
            case "/newkey" -> keys.create(chat, args);
            case "/revoke" -> keys.revoke(chat, args);
            case "/prices" -> prices.prices(chat);
            case "/history" -> history.history(chat);
            case "/alert" -> alerts.alert(chat, args);
            default -> replies.send(chat.chatId(), chat.t("command.unknown"), Menus.main(chat.lang()));
        }
    }
}
