package ai.kiku.billing.repository;

import ai.kiku.common.contract.UsageRecordPage;
import ai.kiku.common.contract.UsageRecordQuery;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an account's {@code usage_records} one request at a time, newest first, by keyset over
 * (occurred_at, request_id): every page is one index range scan of
 * {@code usage_records_account_time_request}, however deep into the history it is.
 */
@ApplicationScoped
public class UsageRecordRepository {

    private final Transactions tx;

    public UsageRecordRepository(Transactions tx) {
        this.tx = tx;
    }

    /** Up to {@code limit} rows of the query (one more, when there are more, to tell that a next page exists). */
    public Uni<List<UsageRecordPage.Row>> page(long accountId, UsageRecordQuery q, int limit) {
        StringBuilder sql = new StringBuilder("SELECT request_id, occurred_at, key_id, product, model, input_tokens, "
                + "output_tokens, cost_micros FROM usage_records WHERE account_id = ?1");
        List<Object> params = new ArrayList<>();
        params.add(accountId);
        if (q.from() != null) {
            params.add(utc(q.from()));
            sql.append(" AND occurred_at >= ?").append(params.size());
        }
        if (q.to() != null) {
            params.add(utc(q.to()));
            sql.append(" AND occurred_at < ?").append(params.size());
        }
        if (q.keyId() != null) {
            params.add(q.keyId());
            sql.append(" AND key_id = ?").append(params.size());
        }
        if (q.model() != null) {
            params.add(q.model());
            sql.append(" AND model = ?").append(params.size());
        }
        if (q.after() != null) {
            params.add(utc(q.after().time()));
            params.add(q.after().requestId());
            sql.append(" AND (occurred_at, request_id) < (?").append(params.size() - 1).append(", ?")
                    .append(params.size()).append(')');
        }
        params.add(limit);
        sql.append(" ORDER BY occurred_at DESC, request_id DESC LIMIT ?").append(params.size());
        return tx.session(() -> NativeSql.list(sql.toString(), params.toArray()))
                .map(rows -> rows.stream().map(UsageRecordRepository::row).toList());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static UsageRecordPage.Row row(Object[] r) {
        return UsageRecordPage.Row.of((String) r[0], NativeSql.instant(r[1]), NativeSql.lng(r[2]), (String) r[3],
                (String) r[4], NativeSql.lng(r[5]), NativeSql.lng(r[6]), NativeSql.lng(r[7]));
    }
}
