package ai.kiku.common.contract;

import ai.kiku.common.error.ProblemException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The validated query of a per-request usage listing ({@code key}, {@code model}, {@code from} inclusive,
 * {@code to} exclusive, {@code cursor}, {@code limit}), parsed alike by api-service (to answer 400 before
 * calling billing) and billing-service. The cursor is opaque to callers: the (time, request id) of the last
 * row of the previous page, base64url-encoded.
 */
public record UsageRecordQuery(Long keyId, String model, Instant from, Instant to, Cursor after, int limit) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_MODEL = 200;

    /** A position in the newest-first order: rows strictly older than (time, requestId) follow it. */
    public record Cursor(Instant time, String requestId) {

        public String encode() {
            String plain = time.getEpochSecond() + "." + time.getNano() + "." + requestId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(text.strip()), StandardCharsets.UTF_8);
                String[] parts = plain.split("\\.", 3);
                long seconds = Long.parseLong(parts[0]);
                int nanos = Integer.parseInt(parts[1]);
                if (parts[2].isEmpty() || nanos < 0 || nanos > 999_999_999) {
                    throw new IllegalArgumentException(plain);
                }
                return new Cursor(Instant.ofEpochSecond(seconds, nanos), parts[2]);
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("cursor", "cursor must be the nextCursor of an earlier page");
            }
        }
    }

    public static UsageRecordQuery of(String key, String model, String from, String to, String cursor, String limit) {
        Long keyId = null;
        if (present(key)) {
            try {
                keyId = Long.valueOf(key.strip());
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("key", "key must be a key id (an integer)");
            }
        }
        String m = null;
        if (present(model)) {
            m = model.strip();
            if (m.length() > MAX_MODEL || m.chars().anyMatch(Character::isISOControl)) {
                throw ProblemException.badRequest("model", "model must be a model name of at most " + MAX_MODEL
                        + " characters");
            }
        }
        Instant start = present(from) ? instant("from", from) : null;
        Instant end = present(to) ? instant("to", to) : null;
        if (start != null && end != null && !start.isBefore(end)) {
            throw ProblemException.badRequest("from", "from must be before to");
        }
        int n = DEFAULT_LIMIT;
        if (present(limit)) {
            try {
                n = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_LIMIT) {
                throw ProblemException.badRequest("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        return new UsageRecordQuery(keyId, m, start, end, present(cursor) ? Cursor.decode(cursor) : null, n);
    }

    /** The same query continuing after {@code cursor} (or from the start, with null). */
    public UsageRecordQuery after(Cursor cursor) {
        return new UsageRecordQuery(keyId, model, from, to, cursor, limit);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static Instant instant(String field, String value) {
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-11-27T10:00:00Z");
        }
    }
}
