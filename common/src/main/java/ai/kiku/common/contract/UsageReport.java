package ai.kiku.common.contract;

import ai.kiku.common.money.Micros;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/** Usage of an account over a period, in total and broken down by day, hour, model or key. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UsageReport(long accountId, Instant from, Instant to, String groupBy, Row totals, List<Row> breakdown) {

    /** One group (or the total, with {@code group} null). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Row(String group, long requests, long inputTokens, long outputTokens, long costMicros, String cost) {

        public static Row of(String group, long requests, long in, long out, long cost) {
            return new Row(group, requests, in, out, cost, Micros.format(cost));
        }
    }
}
