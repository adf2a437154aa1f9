package ai.kiku.billing.repository;

import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Small helpers for mapping reactive-client rows. */
final class Rows {


    private Rows() {
    }

    /**
     * The time a statement writes, read here and passed as a parameter: Citus refuses the server's
     * clock ({@code now()}) in several places on distributed tables (see docs/architecture.md).
     */
    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** Epoch milliseconds as a timestamptz parameter. */
    static OffsetDateTime epochMillis(long millis) {
        return Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
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
