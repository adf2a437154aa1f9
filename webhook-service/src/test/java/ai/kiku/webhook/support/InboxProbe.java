package ai.kiku.webhook.support;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Reads the inbox table of the real PostgreSQL the app uses, for assertions. */
@ApplicationScoped
public class InboxProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Pool pool;

    public InboxProbe(Pool pool) {
        this.pool = pool;
    }

    /** Status of one event, or null when it was never stored. */
    public String status(String eventId) {
        return string("SELECT status FROM paddle_events WHERE event_id = $1", eventId);
    }

    public String lastError(String eventId) {
        return string("SELECT last_error FROM paddle_events WHERE event_id = $1", eventId);
    }

    public String outcome(String eventId) {
        return string("SELECT outcome::text FROM paddle_events WHERE event_id = $1", eventId);
    }

    public int attempts(String eventId) {
        String value = string("SELECT attempts::text FROM paddle_events WHERE event_id = $1", eventId);
        return value == null ? -1 : Integer.parseInt(value);
    }

    /** Rows whose payload's data.id is {@code entityId} (any event id). */
    public long rowsAbout(String entityId) {
        return Long.parseLong(string("SELECT count(*)::text FROM paddle_events WHERE payload->'data'->>'id' = $1",
                entityId));
    }

    public long totalRows() {
        return Long.parseLong(string("SELECT count(*)::text FROM paddle_events WHERE event_id <> $1", ""));
    }

    /** Moves an event's receipt into the past, as if it had been waiting that long. */
    public void receivedAgo(String eventId, Duration ago) {
        update("UPDATE paddle_events SET received_at = now() - $1 * interval '1 millisecond' WHERE event_id = $2",
                ago.toMillis(), eventId);
    }

    /** Sets when an event is next looked at. */
    public void nextAttemptIn(String eventId, Duration in) {
        update("UPDATE paddle_events SET next_attempt_at = now() + $1 * interval '1 millisecond' WHERE event_id = $2",
                in.toMillis(), eventId);
    }

    /** Polls until {@code condition} holds (processing is asynchronous), failing after {@code timeout}. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    public void awaitStatus(String eventId, String status) {
        await(eventId + " to be " + status, Duration.ofSeconds(15), () -> status.equals(status(eventId)));
    }

    private String string(String sql, String arg) {
        RowIterator<Row> rows = pool.preparedQuery(sql).execute(Tuple.of(arg)).await().atMost(TIMEOUT).iterator();
        return rows.hasNext() ? rows.next().getString(0) : null;
    }

    private void update(String sql, Object... args) {
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(TIMEOUT);
    }
}
