package ai.kiku.common.contract;

import ai.kiku.common.money.Micros;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/**
 * A page of an account's per-request usage, newest first; pass {@code nextCursor} as {@code cursor} for the
 * next page ({@code null} at the end). {@code requestId} is the {@code X-Request-Id} the API answered with.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UsageRecordPage(long accountId, List<Row> records, String nextCursor) {

    /** One metered request as billing recorded it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Row(String requestId, Instant occurredAt, long keyId, String product, String model,
                      long inputTokens, long outputTokens, long costMicros, String cost) {

        public static Row of(String requestId, Instant occurredAt, long keyId, String product, String model,
                             long inputTokens, long outputTokens, long costMicros) {
            return new Row(requestId, occurredAt, keyId, product, model, inputTokens, outputTokens, costMicros,
                    Micros.format(costMicros));
        }
    }
}
