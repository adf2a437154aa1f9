package ai.kiku.api.rest;

import ai.kiku.common.contract.UsageRecordPage;
import ai.kiku.common.money.Micros;

import java.util.List;

/**
 * Per-request usage as RFC 4180 CSV: CRLF line ends, a field holding a comma, quote or line break quoted with
 * its quotes doubled. Cost is exact: integer micros and the same amount as a decimal USD string.
 */
final class UsageCsv {

    static final String CONTENT_TYPE = "text/csv; charset=utf-8; header=present";
    static final String HEADER = "request_id,occurred_at,key_id,product,model,input_tokens,output_tokens,"
            + "cost_micros,cost_usd\r\n";

    private UsageCsv() {
    }

    static String rows(List<UsageRecordPage.Row> rows) {
        StringBuilder out = new StringBuilder(rows.size() * 120);
        for (UsageRecordPage.Row r : rows) {
            field(out, r.requestId()).append(',').append(r.occurredAt()).append(',').append(r.keyId()).append(',');
            field(out, r.product()).append(',');
            field(out, r.model()).append(',').append(r.inputTokens()).append(',').append(r.outputTokens())
                    .append(',').append(r.costMicros()).append(',');
            Micros.appendTo(out, r.costMicros()).append("\r\n");
        }
        return out.toString();
    }

    static StringBuilder field(StringBuilder out, String value) {
        String v = value == null ? "" : value;
        if (v.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n')) {
            return out.append(v);
        }
        return out.append('"').append(v.replace("\"", "\"\"")).append('"');
    }
}
