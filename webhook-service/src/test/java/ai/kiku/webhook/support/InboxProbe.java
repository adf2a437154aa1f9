package ai.kiku.webhook.support;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Reads the inbox table of the real PostgreSQL the app uses, for assertions. */
@ApplicationScoped
public class InboxProbe {

    private final AgroalDataSource dataSource;

    public InboxProbe(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Status of one event, or null when it was never stored. */
    public String status(String eventId) {
        return string("SELECT status FROM paddle_events WHERE event_id = ?", eventId);
    }

    public String lastError(String eventId) {
        return string("SELECT last_error FROM paddle_events WHERE event_id = ?", eventId);
    }

    public String outcome(String eventId) {
        return string("SELECT outcome::text FROM paddle_events WHERE event_id = ?", eventId);
    }

    public int attempts(String eventId) {
        String value = string("SELECT attempts::text FROM paddle_events WHERE event_id = ?", eventId);
        return value == null ? -1 : Integer.parseInt(value);
    }

    /** Rows whose payload's data.id is {@code entityId} (any event id). */
    public long rowsAbout(String entityId) {
        return Long.parseLong(string("SELECT count(*)::text FROM paddle_events WHERE payload->'data'->>'id' = ?",
                entityId));
    }

    public long totalRows() {
        return Long.parseLong(string("SELECT count(*)::text FROM paddle_events WHERE event_id <> ?", ""));
    }

    /** Moves an event's receipt into the past, as if it had been waiting that long. */
    public void receivedAgo(String eventId, Duration ago) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE paddle_events SET received_at = now() - ? * interval '1 millisecond' WHERE event_id = ?")) {
            ps.setLong(1, ago.toMillis());
            ps.setString(2, eventId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets when an event is next looked at. */
    public void nextAttemptIn(String eventId, Duration in) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE paddle_events SET next_attempt_at = now() + ? * interval '1 millisecond' WHERE event_id = ?")) {
            ps.setLong(1, in.toMillis());
            ps.setString(2, eventId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
