package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.UsageReport;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** /start, /balance, /usage and /help: the account as the user sees it. */
@ApplicationScoped
public class AccountCommands {

    static final String NO_ACCOUNT = "You have no KikuAI account yet. Send /start to create one.";

    private final Backend backend;
    private final Replies replies;
    private final Clock clock = Clock.systemUTC();

    public AccountCommands(Backend backend, Replies replies) {
        this.backend = backend;
        this.replies = replies;
    }

    public void start(Chat chat) {
        AccountView account = backend.ensureAccount(chat.userId(), chat.displayName());
        replies.send(chat.chatId(), "Welcome to KikuAI, " + html(chat.displayName()) + "!\n"
                + "Your account #" + account.accountId() + " is ready. Balance: <b>"
                + usd(account.balanceMicros()) + "</b>.\n\n"
                + "Top up with /topup, then create an API key with /newkey &lt;name&gt;.\n\n" + Texts.COMMANDS);
    }

    public void help(Chat chat) {
        replies.send(chat.chatId(), "KikuAI — pay-as-you-go AI API.\n\n" + Texts.COMMANDS);
    }

    public void balance(Chat chat) {
        Optional<AccountView> found = backend.account(chat.userId());
        if (found.isEmpty()) {
            replies.send(chat.chatId(), NO_ACCOUNT);
            return;
        }
        AccountView a = found.get();
        StringBuilder text = new StringBuilder("Balance: <b>").append(usd(a.balanceMicros())).append("</b>");
        if (a.heldMicros() != 0) {
            text.append("\nHeld by requests in flight: ").append(usd(a.heldMicros()))
                    .append("\nAvailable: ").append(usd(a.balanceMicros() - a.heldMicros()));
        }
        if (!"active".equals(a.status())) {
            text.append("\nAccount status: <b>").append(html(a.status())).append("</b>");
        }
        if (a.balanceMicros() - a.heldMicros() < a.lowBalanceThresholdMicros()) {
            text.append("\n\nRunning low — top up with /topup.");
        }
        replies.send(chat.chatId(), text.toString());
    }

    public void usage(Chat chat) {
        Optional<AccountView> found = backend.account(chat.userId());
        if (found.isEmpty()) {
            replies.send(chat.chatId(), NO_ACCOUNT);
            return;
        }
        long accountId = found.get().accountId();
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant startOfToday = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant startOfWeek = today.minusDays(6).atStartOfDay(ZoneOffset.UTC).toInstant();
        UsageReport.Row day = backend.usage(accountId, startOfToday, now).totals();
        UsageReport.Row week = backend.usage(accountId, startOfWeek, now).totals();
        replies.send(chat.chatId(), "Usage (UTC)\n"
                + "<b>Today</b>: " + line(day) + "\n"
                + "<b>Last 7 days</b>: " + line(week));
    }

    private static String line(UsageReport.Row t) {
        if (t == null || t.requests() == 0) {
            return "no requests";
        }
        return t.requests() + (t.requests() == 1 ? " request, " : " requests, ")
                + t.inputTokens() + " input + " + t.outputTokens() + " output tokens, " + usd(t.costMicros());
    }
}
