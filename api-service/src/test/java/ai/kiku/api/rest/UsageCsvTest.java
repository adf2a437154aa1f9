package ai.kiku.api.rest;

import ai.kiku.common.contract.UsageRecordPage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CSV export writes costs exactly (integer micros and their decimal USD, no binary fractions) and quotes as RFC 4180 says. */
class UsageCsvTest {

    private static final Instant AT = Instant.parse("2026-12-06T15:00:00Z");

    @Test
    void shouldWriteCostsExactlyEvenWhereADoubleWouldRound() {
        // 2^53 + 1 micros: the first whole number a double cannot hold; 1 micro: 0.000001, which no double is
        String csv = UsageCsv.rows(List.of(
                UsageRecordPage.Row.of("req_big", AT, 7, "llm-proxy", "m", 1, 2, 9_007_199_254_740_993L),
                UsageRecordPage.Row.of("req_one", AT, 7, "llm-proxy", "m", 1, 0, 1)));

        assertThat(csv).isEqualTo(
                "req_big,2026-12-06T15:00:00Z,7,llm-proxy,m,1,2,9007199254740993,9007199254.740993\r\n"
                        + "req_one,2026-12-06T15:00:00Z,7,llm-proxy,m,1,0,1,0.000001\r\n");
    }

    @Test
    void shouldQuoteFieldsHoldingCommasQuotesOrLineBreaks() {
        String csv = UsageCsv.rows(List.of(UsageRecordPage.Row.of("req_q", AT, 1, "llm-proxy", "a,\"b\"\nc", 0, 0, 0)));

        assertThat(csv).isEqualTo("req_q,2026-12-06T15:00:00Z,1,llm-proxy,\"a,\"\"b\"\"\nc\",0,0,0,0.000000\r\n");
    }
}
