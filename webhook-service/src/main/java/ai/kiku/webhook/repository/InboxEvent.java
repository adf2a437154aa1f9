package ai.kiku.webhook.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.OffsetDateTime;

/**
 * One stored Paddle delivery: the {@code paddle_events} table (V1 + V20) as Hibernate maps it. Only read as an
 * entity; every write is a guarded statement of {@link InboxRepository}, so no flush ever overwrites a column that a
 * concurrent worker changed.
 */
@Entity
@Table(name = "paddle_events")
public class InboxEvent {

    @Id
    @Column(name = "event_id")
    public String eventId;

    @Column(name = "event_type")
    public String eventType;

    @Column(name = "notification_id")
    public String notificationId;

    @Column(name = "entity_id")
    public String entityId;

    public String status;

    public int attempts;

    @Column(name = "occurred_at")
    public OffsetDateTime occurredAt;

    @Column(name = "received_at")
    public OffsetDateTime receivedAt;

    @Column(name = "next_attempt_at")
    public OffsetDateTime nextAttemptAt;

    @Column(name = "processed_at")
    public OffsetDateTime processedAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "account_id")
    public Long accountId;

    @JdbcTypeCode(SqlTypes.JSON)
    public String outcome;

    @JdbcTypeCode(SqlTypes.JSON)
    public String payload;

    InboxRow toRow() {
        return new InboxRow(eventId, eventType, entityId, status, attempts, occurredAt, receivedAt, nextAttemptAt,
                processedAt, lastError, accountId, outcome, payload);
    }
}
