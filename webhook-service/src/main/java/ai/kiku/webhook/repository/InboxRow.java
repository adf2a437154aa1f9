package ai.kiku.webhook.repository;

import java.time.OffsetDateTime;

/** One row of the {@code paddle_events} inbox, as operators and handlers see it. */
public record InboxRow(String eventId, String eventType, String entityId, String status, int attempts,
                       OffsetDateTime occurredAt, OffsetDateTime receivedAt, OffsetDateTime nextAttemptAt,
                       OffsetDateTime processedAt, String lastError, Long accountId, String outcome, String payload) {
}
