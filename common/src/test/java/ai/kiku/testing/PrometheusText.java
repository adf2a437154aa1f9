package ai.kiku.testing;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample from a {@code /q/metrics} scrape, so tests assert on values, not on names that exist at 0. */
public final class PrometheusText {

    private PrometheusText() {
    }

    /** The first sample of {@code name} (any labels), exactly as exposed; fails when there is none. */
    public static BigDecimal value(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? (\\S+)$").matcher(exposition);
        if (!m.find()) {
            throw new AssertionError("no sample of " + name + " in the metrics");
        }
        return new BigDecimal(m.group(1));
    }
}
