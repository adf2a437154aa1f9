package ai.kiku.billing.service;

import ai.kiku.common.contract.UsageReport;
import ai.kiku.billing.repository.UsageRepository;
import ai.kiku.common.error.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/** Usage roll-ups for {@code /api/v1/usage} and the bot, read from {@code usage_hourly}. */
@ApplicationScoped
public class UsageReportService {

    private static final Set<String> GROUPS = Set.of("day", "hour", "model", "key", "day-model");
    private static final Duration DEFAULT_PERIOD = Duration.ofDays(30);
    private static final Duration MAX_PERIOD = Duration.ofDays(400);

    private final UsageRepository usage;
    private final AccountService accounts;

    public UsageReportService(UsageRepository usage, AccountService accounts) {
        this.usage = usage;
        this.accounts = accounts;
    }

    public Uni<UsageReport> report(long accountId, String fromText, String toText, String groupByText) {
        String groupBy = groupByText == null || groupByText.isBlank() ? "day" : groupByText;
        if (!GROUPS.contains(groupBy)) {
            throw ProblemException.badRequest("groupBy", "groupBy must be one of day, hour, model, key, day-model");
        }
        Instant to = toText == null || toText.isBlank() ? Instant.now() : instant("to", toText);
        Instant from = fromText == null || fromText.isBlank() ? to.minus(DEFAULT_PERIOD) : instant("from", fromText);
        if (!from.isBefore(to)) {
            throw ProblemException.badRequest("from", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
            throw ProblemException.badRequest("from", "the period may span at most " + MAX_PERIOD.toDays() + " days");
        }
        return accounts.require(accountId).flatMap(a -> usage.report(accountId, from, to, groupBy))
                .map(rows -> new UsageReport(accountId, from, to, groupBy, total(rows), rows));
    }

    private static UsageReport.Row total(List<UsageReport.Row> rows) {
        long n = 0, in = 0, out = 0, cost = 0;
        for (UsageReport.Row r : rows) {
            n += r.requests();
            in += r.inputTokens();
            out += r.outputTokens();
            cost += r.costMicros();
        }
        return UsageReport.Row.of(null, n, in, out, cost);
    }

    private static Instant instant(String field, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        }
    }
}
