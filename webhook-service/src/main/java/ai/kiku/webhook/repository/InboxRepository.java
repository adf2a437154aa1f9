package ai.kiku.webhook.repository;

import ai.kiku.webhook.service.PaddleEnvelope;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The durable inbox ({@code paddle_events}) on Hibernate Reactive: reads are Panache queries; each write is one
 * native statement in the caller's reactive session, guarded by its {@code WHERE} so that concurrent workers and
 * replicas never overwrite each other. Workers claim due rows with {@code FOR UPDATE SKIP LOCKED} plus a lease, so no
 * two process the same row at once and a crashed worker's row comes due again when its lease ends. Callers run each
 * method in a transaction of its own ({@link Inbox}).
 */
@ApplicationScoped
public class InboxRepository implements PanacheRepositoryBase<InboxEvent, String> {

    // The CTE is evaluated exactly once: the rows it locks are the rows updated. Times are parameters
    // (the application's clock), never now() in the statement: the rule every statement of the platform
    // keeps, so that none depends on where a (Citus) database evaluates it.
    private static final String CLAIM = "WITH due AS (SELECT event_id FROM paddle_events WHERE status = 'received'"
            + " AND next_attempt_at <= :now %s ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)"
            + " UPDATE paddle_events e SET attempts = e.attempts + 1, next_attempt_at = :leaseEnd"
            + " FROM due WHERE e.event_id = due.event_id RETURNING e.*"; // e.*: due has an event_id too

    // A String bound straight to a jsonb parameter is sent as a JSON string ("{\"event_id\"...}"); bound as text and
    // cast, it is parsed as the document it holds.
    private static final String JSONB = "CAST(CAST(:%s AS text) AS jsonb)";

    /** Stores a verified delivery once; false when its {@code event_id} is already there. */
    public Uni<Boolean> insert(PaddleEnvelope event, String payload, String status) {
        String sql = "INSERT INTO paddle_events (event_id, event_type, notification_id, occurred_at, payload, status,"
                + " entity_id, processed_at) VALUES (:eventId, :eventType, :notificationId, :occurredAt, "
                + JSONB.formatted("payload") + ", :status, :entityId, :processedAt) ON CONFLICT (event_id) DO NOTHING";
        return getSession().chain(s -> s.createNativeQuery(sql)
                .setParameter("eventId", event.eventId())
                .setParameter("eventType", event.eventType())
                .setParameter("notificationId", event.notificationId())
                .setParameter("occurredAt", event.occurredAt())
                .setParameter("payload", payload)
                .setParameter("status", status)
                .setParameter("entityId", event.entityId())
                .setParameter("processedAt", "received".equals(status) ? null : now())
                .executeUpdate()).map(n -> n == 1);
    }

    /** Claims up to {@code limit} due rows for {@code lease}, counting the attempt. */
    public Uni<List<InboxRow>> claimDue(int limit, Duration lease) {
        OffsetDateTime now = now();
        return getSession().chain(s -> s.createNativeQuery(CLAIM.formatted(""), InboxEvent.class)
                .setParameter("now", now).setParameter("limit", limit).setParameter("leaseEnd", now.plus(lease))
                .getResultList()).map(InboxRepository::rows);
    }

    /** Claims one row when it is due and not claimed elsewhere (the nudge after an insert). */
    public Uni<Optional<InboxRow>> claim(String eventId, Duration lease) {
        OffsetDateTime now = now();
        return getSession().chain(s -> s.createNativeQuery(CLAIM.formatted("AND event_id = :eventId"), InboxEvent.class)
                .setParameter("now", now).setParameter("eventId", eventId).setParameter("limit", 1)
                .setParameter("leaseEnd", now.plus(lease)).getResultList())
                .map(InboxRepository::rows).map(InboxRepository::first);
    }

    /** Records the final state of a claimed row (processed, held or ignored). */
    public Uni<Integer> finish(String eventId, String status, Long accountId, String outcome, String note) {
        String sql = "UPDATE paddle_events SET status = :status, account_id = :accountId,"
                + " outcome = " + JSONB.formatted("outcome") + ", last_error = :note, processed_at = :now"
                + " WHERE event_id = :eventId AND status = 'received'";
        return getSession().chain(s -> s.createNativeQuery(sql)
                .setParameter("status", status).setParameter("accountId", accountId).setParameter("outcome", outcome)
                .setParameter("note", note).setParameter("now", now()).setParameter("eventId", eventId)
                .executeUpdate());
    }

    /**
     * Records a failed attempt: due again after {@code delay}, or dead once {@code maxAttempts}
     * are used up. Returns the new status (empty when the row was finished meanwhile).
     */
    public Uni<Optional<String>> fail(String eventId, int maxAttempts, Duration delay, String error) {
        String sql = "UPDATE paddle_events SET status = CASE WHEN attempts >= :maxAttempts THEN 'dead' ELSE 'received'"
                + " END, next_attempt_at = :next, last_error = :error"
                + " WHERE event_id = :eventId AND status = 'received' RETURNING status";
        return getSession().chain(s -> s.<String>createNativeQuery(sql)
                .setParameter("maxAttempts", maxAttempts).setParameter("next", now().plus(delay))
                .setParameter("error", error).setParameter("eventId", eventId)
                .getResultList()).map(InboxRepository::first);
    }

    /**
     * Records that a claimed row waits for another event (an adjustment for its transaction): the claim's
     * attempt is given back, the next look comes after as long as it has waited so far (between
     * {@code minDelay} and {@code maxDelay}, so the looks thin out like a backoff), and the row is dead
     * once {@code limit} has passed since its receipt. Returns the new status (empty when finished meanwhile).
     */
    public Uni<Optional<String>> await(InboxRow row, Duration limit, Duration minDelay, Duration maxDelay,
                                       String note) {
        OffsetDateTime now = now();
        Duration waited = Duration.between(row.receivedAt(), now);
        Duration delay = waited.compareTo(minDelay) < 0 ? minDelay : waited.compareTo(maxDelay) > 0 ? maxDelay : waited;
        String sql = "UPDATE paddle_events SET attempts = greatest(attempts - 1, 0), status = :status,"
                + " next_attempt_at = :next, last_error = :note WHERE event_id = :eventId AND status = 'received'"
                + " RETURNING status";
        return getSession().chain(s -> s.<String>createNativeQuery(sql)
                .setParameter("status", row.receivedAt().plus(limit).isAfter(now) ? "received" : "dead")
                .setParameter("next", now.plus(delay)).setParameter("note", note)
                .setParameter("eventId", row.eventId()).getResultList()).map(InboxRepository::first);
    }

    /** Makes the adjustments waiting for one transaction due now (its transaction.completed was just finished). */
    public Uni<Integer> wakeAdjustments(String transactionId) {
        String sql = "UPDATE paddle_events SET next_attempt_at = :now WHERE status = 'received'"
                + " AND event_type IN ('adjustment.created', 'adjustment.updated')"
                + " AND payload->'data'->>'transaction_id' = :transactionId AND next_attempt_at > :now";
        return getSession().chain(s -> s.createNativeQuery(sql)
                .setParameter("now", now()).setParameter("transactionId", transactionId).executeUpdate());
    }

    /** Puts any row back in the queue with fresh attempts (operator replay). */
    public Uni<Optional<InboxRow>> replay(String eventId) {
        String sql = "UPDATE paddle_events SET status = 'received', attempts = 0, next_attempt_at = :now,"
                + " last_error = NULL, processed_at = NULL WHERE event_id = :eventId RETURNING *";
        return getSession().chain(s -> s.createNativeQuery(sql, InboxEvent.class)
                .setParameter("now", now()).setParameter("eventId", eventId)
                .getResultList()).map(InboxRepository::rows).map(InboxRepository::first);
    }

    public Uni<Optional<InboxRow>> byId(String eventId) {
        return findById(eventId).map(e -> Optional.ofNullable(e).map(InboxEvent::toRow));
    }

    /** Rows in one status, oldest first. */
    public Uni<List<InboxRow>> inStatus(String status, int limit) {
        return find("status", Sort.by("receivedAt").and("eventId"), status).range(0, limit - 1).list()
                .map(InboxRepository::rows);
    }

    /** Events of one type about one Paddle entity (the transaction.completed of {@code txn_...}), processed first. */
    public Uni<List<InboxRow>> findByEntity(String eventType, String entityId) {
        return find("eventType = ?1 and entityId = ?2"
                + " order by case when status = 'processed' then 0 else 1 end, receivedAt", eventType, entityId)
                .list().map(InboxRepository::rows);
    }

    private static List<InboxRow> rows(List<InboxEvent> events) {
        return events.stream().map(InboxEvent::toRow).toList();
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.stream().findFirst();
    }

    /** The application's clock, passed to every statement as a parameter. */
    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
