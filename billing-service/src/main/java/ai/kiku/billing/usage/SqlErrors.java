package ai.kiku.billing.usage;

import ai.kiku.billing.repository.SqlStates;

/**
 * Tells a statement PostgreSQL will never accept (retrying cannot help) from a failure worth
 * retrying. Refused: data errors (22), integrity violations (23), features the database or Citus
 * does not support (0A, e.g. "STABLE functions used in UPDATE queries cannot be called with column
 * references") and syntax or semantic errors (42, e.g. 42883 undefined function), except 42501
 * (insufficient privilege: an operator's grant fixes it without changing the statement). Everything
 * else, connection loss (08), serialization failures and deadlocks (40001, 40P01), shutdowns (57P01),
 * resources (53), timeouts, is transient.
 */
final class SqlErrors {

    private SqlErrors() {
    }

    /** The SQLSTATE when the failure is one PostgreSQL gives again for the same statement and data; else null. */
    static String refusal(Throwable failure) {
        String state = SqlStates.of(failure);
        return refused(state) ? state : null;
    }

    static boolean refused(String state) {
        if (state == null || state.length() != 5) {
            return false;
        }
        String cls = state.substring(0, 2);
        return cls.equals("22") || cls.equals("23") || cls.equals("0A") || (cls.equals("42") && !state.equals("42501"));
    }
}
