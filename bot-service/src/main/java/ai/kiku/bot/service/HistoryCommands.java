package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.LedgerEntry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * /history: payments, refunds, chargebacks and adjustments from billing's ledger, newest first. The ledger
 * also holds a row per metered call ({@code usage}); those are skipped, reading a few pages at most.
 */
@ApplicationScoped
public class HistoryCommands {

    static final Set<String> KINDS = Set.of("payment", "refund", "chargeback", "chargeback_reverse", "adjustment");
    static final int SHOWN = 15;
    private static final int PAGE = 200;
    private static final int MAX_PAGES = 5;

    private final Backend backend;
    private final AccountCommands accounts;
    private final Replies replies;

    public HistoryCommands(Backend backend, AccountCommands accounts, Replies replies) {
        this.backend = backend;
        this.accounts = accounts;
        this.replies = replies;
    }

    public void history(Chat chat) {
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        List<LedgerEntry> shown = new ArrayList<>();
        Long before = null;
        for (int page = 0; page < MAX_PAGES && shown.size() < SHOWN; page++) {
            Backend.LedgerSlice slice = backend.ledger(account.get().accountId(), before, PAGE);
            for (LedgerEntry e : slice.entries()) {
                if (KINDS.contains(e.kind()) && shown.size() < SHOWN) {
                    shown.add(e);
                }
            }
            before = slice.nextBefore();
            if (before == null) {
                break;
            }
        }
        if (shown.isEmpty()) {
            replies.send(chat.chatId(), chat.t("history.empty"));
            return;
        }
        StringBuilder text = new StringBuilder(chat.t("history.title"));
        for (LedgerEntry e : shown) {
            text.append('\n').append(chat.t("history.line", "date", e.createdAt() == null ? "" : Texts.date(e.createdAt()),
                    "kind", chat.t("kind." + e.kind()), "amount", Texts.signedUsd(e.amountMicros())));
        }
        replies.send(chat.chatId(), text.toString());
    }
}
