package ai.kiku.common.money;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * What PostgreSQL recorded as spent by each key of an account, in total and in one UTC month, for a
 * rebuild to restore the keys' spend-cap counters (see rebuild.lua). {@code month} is the month's
 * index as the scripts compute it: year * 12 + (month - 1).
 */
public record KeySpend(int month, Map<Long, Spent> perKey) {

    /** No key counters to restore. */
    public static final KeySpend NONE = new KeySpend(0, Map.of());

    /** One key's recorded spend. */
    public record Spent(long totalMicros, long monthMicros) {
    }

    /** The month index (as the scripts compute it from Redis' time) of a UTC year-month. */
    public static int monthIndex(YearMonth month) {
        return month.getYear() * 12 + month.getMonthValue() - 1;
    }

    /** The UTC month an instant falls in. */
    public static YearMonth monthOf(Instant t) {
        return YearMonth.from(t.atOffset(ZoneOffset.UTC));
    }
}
