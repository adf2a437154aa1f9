package ai.kiku.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import org.hibernate.reactive.mutiny.Mutiny;
import org.hibernate.reactive.mutiny.impl.MutinyStatelessSessionImpl;
import org.hibernate.reactive.pool.ReactiveConnection;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Native SQL on the current Hibernate Reactive session (positional parameters {@code ?1, ?2, ...}), for
 * the set-based statements that entities do not express, and the mapping of their result values.
 */
public final class NativeSql {

    private NativeSql() {
    }

    /** Rows of several columns. */
    public static Uni<List<Object[]>> list(String sql, Object... params) {
        return Panache.getSession().flatMap(s -> bind(s.createNativeQuery(sql, Object[].class), params).getResultList());
    }

    /** Values of one column. */
    public static <T> Uni<List<T>> column(String sql, Class<T> type, Object... params) {
        return Panache.getSession().flatMap(s -> bind(s.createNativeQuery(sql, type), params).getResultList());
    }

    /** The value of a statement that answers one row of one column. */
    public static <T> Uni<T> single(String sql, Class<T> type, Object... params) {
        return Panache.getSession().flatMap(s -> bind(s.createNativeQuery(sql, type), params).getSingleResult());
    }

    /** Rows changed. */
    public static Uni<Integer> update(String sql, Object... params) {
        return Panache.getSession().flatMap(s -> bind(s.createNativeQuery(sql), params).executeUpdate());
    }

    /**
     * Rows of several columns, by a statement sent as it is ({@code $1, $2, ...}) on the connection, and
     * so in the transaction, of the given stateless session: for the usage batches, whose statements
     * Hibernate's query layer (parsing, plan, parameter typing, result mapping) only adds CPU to.
     */
    public static Uni<List<Object[]>> listDirect(Mutiny.StatelessSession session, String sql, Object... params) {
        return Uni.createFrom().completionStage(() -> connection(session).select(sql, params)).map(result -> {
            List<Object[]> rows = new ArrayList<>(result.size());
            result.forEachRemaining(rows::add);
            return rows;
        });
    }

    /** Rows changed, by a statement sent as it is on the stateless session's connection (see {@link #listDirect}). */
    public static Uni<Integer> updateDirect(Mutiny.StatelessSession session, String sql, Object... params) {
        return Uni.createFrom().completionStage(() -> connection(session).update(sql, params));
    }

    private static ReactiveConnection connection(Mutiny.StatelessSession session) {
        return ((MutinyStatelessSessionImpl) session).getReactiveConnection();
    }

    private static <Q extends Mutiny.AbstractQuery> Q bind(Q query, Object[] params) {
        for (int i = 0; i < params.length; i++) {
            query.setParameter(i + 1, params[i]);
        }
        return query;
    }

    /**
     * The time a statement writes, read here and passed as a parameter: Citus refuses the server's
     * clock ({@code now()}) in several places on distributed tables (see docs/architecture.md).
     */
    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /**
     * Epoch milliseconds as the text of a timestamptz, for arrays of times: Hibernate hands the reactive
     * client an array of times as Instants, which it refuses for timestamptz[]; the statement casts
     * text[] to timestamptz[] (over a parameter, which Citus evaluates once on the coordinator).
     */
    public static String isoMillis(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    public static long lng(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    public static Instant instant(Object value) {
        if (value == null || value instanceof Instant) {
            return (Instant) value;
        } else if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        } else if (value instanceof ZonedDateTime z) {
            return z.toInstant();
        } else if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("not a time: " + value.getClass());
    }
}
