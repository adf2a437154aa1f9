package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;

import static ai.kiku.bot.service.Texts.usd;

/** /alert &lt;usd&gt;: the user's own low-balance threshold, stored by billing (which notifies once per crossing). */
@ApplicationScoped
public class AlertCommands {

    /** $10,000 in micro-dollars: the highest threshold a user may set. */
    static final long MAX_MICROS = 10_000_000_000L;
    /** Digits, at most 6 decimals, an optional leading $; no sign, no exponent, no grouping. */
    private static final Pattern AMOUNT = Pattern.compile("\\$?(\\d{1,12}(?:[.,]\\d{1,6})?)");

    private final Backend backend;
    private final AccountCommands accounts;
    private final Profiles profiles;
    private final Replies replies;

    public AlertCommands(Backend backend, AccountCommands accounts, Profiles profiles, Replies replies) {
        this.backend = backend;
        this.accounts = accounts;
        this.profiles = profiles;
        this.replies = replies;
    }

    public void alert(Chat chat, String args) {
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        if (args.isBlank()) {
            replies.send(chat.chatId(), chat.t("alert.current",
                    "threshold", usd(account.get().lowBalanceThresholdMicros())) + "\n" + chat.t("alert.usage"));
            return;
        }
        Long micros = parseMicros(args.strip());
        if (micros == null) {
            replies.send(chat.chatId(), chat.t("alert.invalid") + "\n" + chat.t("alert.usage"));
            return;
        }
        AccountView updated = backend.setLowBalanceThreshold(account.get().accountId(), micros);
        profiles.changed(chat.userId());
        replies.send(chat.chatId(), chat.t(micros == 0 ? "alert.off" : "alert.set",
                "threshold", usd(updated.lowBalanceThresholdMicros())));
    }

    /** Exact dollars → micro-dollars, or null when not a plain amount between $0 and $10,000 with ≤ 6 decimals. */
    static Long parseMicros(String text) {
        var m = AMOUNT.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long micros = new BigDecimal(m.group(1).replace(',', '.')).movePointRight(6).longValueExact();
        return micros > MAX_MICROS ? null : micros;
    }
}
