package ai.kiku.billing.service;

import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;

/** Input validation that fails with a 400 problem naming the field, before anything is written. */
public final class Check {

    /** Highest per-key rate limit an operator or the bot may set. */
    public static final int MAX_RATE_LIMIT = 100_000;

    private Check() {
    }

    public static <T> T body(T body) {
        if (body == null) {
            throw ProblemException.badRequest("body", "a JSON body is required");
        }
        return body;
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw ProblemException.badRequest(field, field + " is required");
        }
        return value;
    }

    public static long positive(String field, Long value) {
        if (required(field, value) <= 0) {
            throw ProblemException.badRequest(field, field + " must be positive");
        }
        return value;
    }

    /** A required, non-blank string of at most {@code max} characters, trimmed. */
    public static String text(String field, String value, int max) {
        String v = optionalText(field, value, max);
        if (v == null || v.isEmpty()) {
            throw ProblemException.badRequest(field, field + " is required");
        }
        return v;
    }

    /** An optional string of at most {@code max} characters, trimmed; null stays null. */
    public static String optionalText(String field, String value, int max) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.length() > max) {
            throw ProblemException.badRequest(field, field + " must be at most " + max + " characters");
        }
        if (v.chars().anyMatch(ch -> Character.isISOControl(ch))) {
            throw ProblemException.badRequest(field, field + " must not contain control characters");
        }
        return v;
    }

    /** A money amount within {@link Micros#MAX_AMOUNT}. */
    public static long amount(String field, Long value) {
        required(field, value);
        if (value > Micros.MAX_AMOUNT || value < -Micros.MAX_AMOUNT) {
            throw ProblemException.badRequest(field, field + " must be between -" + Micros.MAX_AMOUNT + " and "
                    + Micros.MAX_AMOUNT + " micro-USD");
        }
        return value;
    }

    public static Integer rateLimit(String field, Integer value) {
        if (value != null && (value < 1 || value > MAX_RATE_LIMIT)) {
            throw ProblemException.badRequest(field, field + " must be between 1 and " + MAX_RATE_LIMIT);
        }
        return value;
    }
}
