package ai.kiku.billing.repository;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Small helpers for mapping reactive-client rows. */
final class Rows {

    /** Timestamps passed as epoch milliseconds are turned into timestamptz with this expression. */
    static final String EPOCH_MS = "timestamptz 'epoch' + %s * interval '1 millisecond'";

    private Rows() {
    }

    static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static <T> List<T> list(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> out = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            out.add(mapper.apply(row));
        }
        return out;
    }

    static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> mapper) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(mapper.apply(it.next())) : Optional.empty();
    }
}
