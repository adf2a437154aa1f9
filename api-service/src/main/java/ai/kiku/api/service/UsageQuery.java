package ai.kiku.api.service;

import ai.kiku.common.error.ProblemException;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * A validated usage window: {@code from}/{@code to} as ISO-8601 instants or dates (UTC midnight),
 * by default the 30 days up to the next whole minute; {@code groupBy} day (default), hour, model or key.
 */
public record UsageQuery(Instant from, Instant to, String groupBy) {

    static final Set<String> GROUPS = Set.of("day", "hour", "model", "key");

    public static UsageQuery of(String from, String to, String groupBy, int maxDays) {
        Instant end = to == null || to.isBlank()
                ? Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES) : instant("to", to);
        Instant start = from == null || from.isBlank() ? end.minus(30, ChronoUnit.DAYS) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ProblemException.badRequest("from", "from must be before to");
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(maxDays)) > 0) {
            throw ProblemException.badRequest("from", "the window may span at most " + maxDays + " days");
        }
        String group = groupBy == null || groupBy.isBlank() ? "day" : groupBy;
        if (!GROUPS.contains(group)) {
            throw ProblemException.badRequest("groupBy", "groupBy must be one of day, hour, model, key");
        }
        return new UsageQuery(start, end, group);
    }

    private static Instant instant(String field, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, field + " must be an ISO-8601 date or date-time, e.g. 2026-11-27T10:00:00Z");
        }
    }

    /** Cache key part: identical windows share one entry. */
    String cacheKey() {
        return groupBy + ':' + from.getEpochSecond() + ':' + to.getEpochSecond();
    }
}
