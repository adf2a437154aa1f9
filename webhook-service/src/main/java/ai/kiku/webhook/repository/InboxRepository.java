package ai.kiku.webhook.repository;

import ai.kiku.webhook.service.PaddleEnvelope;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable inbox ({@code paddle_events}). Every statement runs on its own (autocommit): a row
 * is committed before the webhook is acknowledged, and workers claim due rows with
 * {@code FOR UPDATE SKIP LOCKED} plus a lease, so replicas never process the same row at once and
 * a crashed worker's row comes due again when its lease ends.
 */
@ApplicationScoped
public class InboxRepository {

    private static final String COLUMNS = "event_id, event_type, entity_id, status, attempts, occurred_at, received_at,"
            + " next_attempt_at, processed_at, last_error, account_id, outcome::text AS outcome, payload::text AS payload";

    // The CTE is evaluated exactly once: the rows it locks are the rows updated. Times are parameters
    // (the application's clock), never now() in the statement: the rule every statement of the platform
    // keeps, so that none depends on where a (Citus) database evaluates it.
    private static final String CLAIM = "WITH due AS (SELECT event_id FROM paddle_events WHERE status = 'received'"
            + " AND next_attempt_at <= ? %s ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " UPDATE paddle_events e SET attempts = e.attempts + 1,"
            + " next_attempt_at = ? FROM due WHERE e.event_id = due.event_id"
            + " RETURNING e." + COLUMNS; // e.event_id: due has an event_id too

    private final DataSource dataSource;

    public InboxRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a verified delivery once; false when its {@code event_id} is already there. */
    public boolean insert(PaddleEnvelope event, String payload, String status) throws SQLException {
        String sql = "INSERT INTO paddle_events (event_id, event_type, notification_id, occurred_at, payload, status,"
                + " entity_id, processed_at) VALUES (?, ?, ?, ?, ?::jsonb, ?, ?,"
                + " ?) ON CONFLICT (event_id) DO NOTHING";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, event.eventId());
            ps.setString(2, event.eventType());
            ps.setString(3, event.notificationId());
            ps.setObject(4, event.occurredAt());
            ps.setString(5, payload);
            ps.setString(6, status);
            ps.setString(7, event.entityId());
            ps.setObject(8, "received".equals(status) ? null : now(), Types.TIMESTAMP_WITH_TIMEZONE);
            return ps.executeUpdate() == 1;
        }
    }

    /** Claims up to {@code limit} due rows for {@code lease}, counting the attempt. */
    public List<InboxRow> claimDue(int limit, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(CLAIM.formatted(""))) {
            OffsetDateTime now = now();
            ps.setObject(1, now);
            ps.setInt(2, limit);
            ps.setObject(3, now.plus(lease));
            return rows(ps);
        }
    }

    /** Claims one row when it is due and not claimed elsewhere (the nudge after an insert). */
    public Optional<InboxRow> claim(String eventId, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(CLAIM.formatted("AND event_id = ?"))) {
            OffsetDateTime now = now();
            ps.setObject(1, now);
            ps.setString(2, eventId);
            ps.setInt(3, 1);
            ps.setObject(4, now.plus(lease));
            return rows(ps).stream().findFirst();
        }
    }

    /** Records the final state of a claimed row (processed, held or ignored). */
    public void finish(String eventId, String status, Long accountId, String outcome, String note) throws SQLException {
        String sql = "UPDATE paddle_events SET status = ?, account_id = ?, outcome = ?::jsonb, last_error = ?,"
                + " processed_at = ? WHERE event_id = ? AND status = 'received'";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, status);
            if (accountId == null) {
                ps.setNull(2, Types.BIGINT);
            } else {
                ps.setLong(2, accountId);
            }
            ps.setString(3, outcome);
            ps.setString(4, note);
            ps.setObject(5, now());
            ps.setString(6, eventId);
            ps.executeUpdate();
        }
    }

    /**
     * Records a failed attempt: due again after {@code delay}, or dead once {@code maxAttempts}
     * are used up. Returns the new status (empty when the row was finished meanwhile).
     */
    public Optional<String> fail(String eventId, int maxAttempts, Duration delay, String error) throws SQLException {
        String sql = "UPDATE paddle_events SET status = CASE WHEN attempts >= ? THEN 'dead' ELSE 'received' END,"
                + " next_attempt_at = ?, last_error = ?"
                + " WHERE event_id = ? AND status = 'received' RETURNING status";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, maxAttempts);
            ps.setObject(2, now().plus(delay));
            ps.setString(3, error);
            ps.setString(4, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /**
     * Records that a claimed row waits for another event (an adjustment for its transaction): the claim's
     * attempt is given back, the next look comes after as long as it has waited so far (between
     * {@code minDelay} and {@code maxDelay}, so the looks thin out like a backoff), and the row is dead
     * once {@code limit} has passed since its receipt. Returns the new status (empty when finished meanwhile).
     */
    public Optional<String> await(InboxRow row, Duration limit, Duration minDelay, Duration maxDelay, String note)
            throws SQLException {
        OffsetDateTime now = now();
        Duration waited = Duration.between(row.receivedAt(), now);
        Duration delay = waited.compareTo(minDelay) < 0 ? minDelay : waited.compareTo(maxDelay) > 0 ? maxDelay : waited;
        String sql = "UPDATE paddle_events SET attempts = greatest(attempts - 1, 0), status = ?,"
                + " next_attempt_at = ?, last_error = ? WHERE event_id = ? AND status = 'received' RETURNING status";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, row.receivedAt().plus(limit).isAfter(now) ? "received" : "dead");
            ps.setObject(2, now.plus(delay));
            ps.setString(3, note);
            ps.setString(4, row.eventId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** Makes the adjustments waiting for one transaction due now (its transaction.completed was just finished). */
    public int wakeAdjustments(String transactionId) throws SQLException {
        String sql = "UPDATE paddle_events SET next_attempt_at = ? WHERE status = 'received'"
                + " AND event_type IN ('adjustment.created', 'adjustment.updated')"
                + " AND payload->'data'->>'transaction_id' = ? AND next_attempt_at > ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            OffsetDateTime now = now();
            ps.setObject(1, now);
            ps.setString(2, transactionId);
            ps.setObject(3, now);
            return ps.executeUpdate();
        }
    }

    /** Puts any row back in the queue with fresh attempts (operator replay). */
    public Optional<InboxRow> replay(String eventId) throws SQLException {
        String sql = "UPDATE paddle_events SET status = 'received', attempts = 0, next_attempt_at = ?,"
                + " last_error = NULL, processed_at = NULL WHERE event_id = ? RETURNING " + COLUMNS;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, now());
            ps.setString(2, eventId);
            return rows(ps).stream().findFirst();
        }
    }

    public Optional<InboxRow> find(String eventId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM paddle_events WHERE event_id = ?")) {
            ps.setString(1, eventId);
            return rows(ps).stream().findFirst();
        }
    }

    /** Rows in one status, oldest first. */
    public List<InboxRow> list(String status, int limit) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM paddle_events WHERE status = ? ORDER BY received_at, event_id LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, status);
            ps.setInt(2, limit);
            return rows(ps);
        }
    }

    /** Events of one type about one Paddle entity (e.g. the transaction.completed of {@code txn_...}). */
    public List<InboxRow> findByEntity(String eventType, String entityId) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM paddle_events WHERE event_type = ? AND entity_id = ?"
                + " ORDER BY (status = 'processed') DESC, received_at";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, eventType);
            ps.setString(2, entityId);
            return rows(ps);
        }
    }

    private static List<InboxRow> rows(PreparedStatement ps) throws SQLException {
        List<InboxRow> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Long account = rs.getObject("account_id", Long.class);
                result.add(new InboxRow(rs.getString("event_id"), rs.getString("event_type"),
                        rs.getString("entity_id"), rs.getString("status"), rs.getInt("attempts"),
                        rs.getObject("occurred_at", OffsetDateTime.class),
                        rs.getObject("received_at", OffsetDateTime.class),
                        rs.getObject("next_attempt_at", OffsetDateTime.class),
                        rs.getObject("processed_at", OffsetDateTime.class), rs.getString("last_error"),
                        account, rs.getString("outcome"), rs.getString("payload")));
            }
        }
        return result;
    }

    /** The application's clock, passed to every statement as a parameter. */
    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
