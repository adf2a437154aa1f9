package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.UsageReport;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static ai.kiku.bot.service.Texts.count;
import static ai.kiku.bot.service.Texts.html;
import static ai.kiku.bot.service.Texts.usd;

/** /usage [7d|30d|90d]: a chart of spend per day by model and requests per day, with a text summary. */
@ApplicationScoped
public class UsageCommands {

    /** The ranges /usage takes (and its buttons offer), in days. */
    public static final Map<String, Integer> RANGES = rangeTable();
    static final String DEFAULT_RANGE = "30d";
    /** billing's usage grouping by day and model. */
    static final String DAY_MODEL = "day-model";

    private final Backend backend;
    private final AccountCommands accounts;
    private final Replies replies;
    private final Clock clock = Clock.systemUTC();

    public UsageCommands(Backend backend, AccountCommands accounts, Replies replies) {
        this.backend = backend;
        this.accounts = accounts;
        this.replies = replies;
    }

    public void usage(Chat chat, String args) {
        String range = args.isBlank() ? DEFAULT_RANGE : args.strip().toLowerCase(Locale.ROOT);
        Integer days = RANGES.get(range);
        if (days == null) {
            replies.send(chat.chatId(), chat.t("usage.bad_range"), Menus.usageRanges(chat.lang()));
            return;
        }
        Optional<AccountView> account = accounts.account(chat);
        if (account.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate first = today.minusDays(days - 1);
        UsageReport report = backend.usage(account.get().accountId(),
                first.atStartOfDay(ZoneOffset.UTC).toInstant(), now, DAY_MODEL);
        List<UsageReport.Row> rows = report.breakdown() == null ? List.of() : report.breakdown();
        UsageReport.Row total = report.totals();
        if (total == null || total.requests() == 0) {
            replies.send(chat.chatId(), chat.t("usage.none", "days", days), Menus.usageRanges(chat.lang()));
            return;
        }
        byte[] png = UsageChart.png(chat.lang(), rows, UsageChart.days(first, today), 1000, 700);
        replies.photo(chat.chatId(), png, summary(chat, days, total, rows), Menus.usageRanges(chat.lang()));
    }

    static String summary(Chat chat, int days, UsageReport.Row total, List<UsageReport.Row> rows) {
        Map<String, Long> byModel = new HashMap<>();
        for (UsageReport.Row r : rows) {
            byModel.merge(UsageChart.split(r.group())[1], r.costMicros(), Long::sum);
        }
        StringBuilder text = new StringBuilder(chat.t("usage.summary", "days", days,
                "requests", count(total.requests()), "input", count(total.inputTokens()),
                "output", count(total.outputTokens()), "cost", usd(total.costMicros())));
        byModel.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> text.append('\n').append(chat.t("usage.model_line", "model", html(e.getKey()),
                        "cost", usd(e.getValue()))));
        return text.toString();
    }

    private static Map<String, Integer> rangeTable() {
        Map<String, Integer> ranges = new LinkedHashMap<>();
        ranges.put("7d", 7);
        ranges.put("30d", 30);
        ranges.put("90d", 90);
        return java.util.Collections.unmodifiableMap(ranges);
    }
}
