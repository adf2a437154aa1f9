package ai.kiku.billing.rest;

import ai.kiku.common.error.ProblemException;

/** Query parameters parsed here, so that a malformed one is a 400 naming it rather than a 404. */
final class Params {

    private Params() {
    }

    static Long optionalLong(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name, name + " must be an integer");
        }
    }

    static Integer optionalInt(String name, String value) {
        Long v = optionalLong(name, value);
        if (v != null && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
            throw ProblemException.badRequest(name, name + " is out of range");
        }
        return v == null ? null : v.intValue();
    }
}
