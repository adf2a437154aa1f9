package ai.kiku.webhook.service;

import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * The fields of a Paddle notification envelope the inbox keeps as columns; the payload itself is
 * stored whole.
 *
 * @param entityId {@code data.id}: the transaction or adjustment id the event is about (may be null)
 */
public record PaddleEnvelope(String eventId, String eventType, OffsetDateTime occurredAt, String notificationId,
                             String entityId, JsonNode root) {

    private static final int MAX_ID_LENGTH = 200;

    /** Parses and validates; a signed body that is not an envelope is a 400 naming the field. */
    public static PaddleEnvelope parse(ObjectMapper mapper, byte[] rawBody) {
        JsonNode root;
        try {
            root = mapper.readTree(rawBody);
        } catch (IOException e) {
            throw ProblemException.badRequest("body", "body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ProblemException.badRequest("body", "body must be a JSON object (a Paddle event envelope)");
        }
        String eventId = requiredText(root, "event_id");
        String eventType = requiredText(root, "event_type");
        String occurred = requiredText(root, "occurred_at");
        OffsetDateTime occurredAt;
        try {
            occurredAt = OffsetDateTime.parse(occurred);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("occurred_at", "occurred_at must be an RFC 3339 timestamp");
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw ProblemException.badRequest("data", "data must be a JSON object");
        }
        JsonNode notification = root.get("notification_id");
        String notificationId = notification != null && notification.isTextual() ? notification.asText() : null;
        JsonNode id = data.get("id");
        String entityId = id != null && id.isTextual() ? id.asText() : null;
        return new PaddleEnvelope(eventId, eventType, occurredAt, notificationId, entityId, root);
    }

    public JsonNode data() {
        return root.get("data");
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw ProblemException.badRequest(field, field + " must be a non-empty string");
        }
        if (node.asText().length() > MAX_ID_LENGTH || node.asText().indexOf('\0') >= 0) {
            throw ProblemException.badRequest(field, field + " is too long or holds a NUL character");
        }
        return node.asText();
    }
}
