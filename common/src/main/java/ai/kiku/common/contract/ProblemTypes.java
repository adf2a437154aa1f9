package ai.kiku.common.contract;

/** The {@code type} URIs of the problem+json answers the services give one another (RFC 9457). */
public final class ProblemTypes {

    /** What every problem type URI starts with; the rest names the problem. */
    public static final String BASE = "https://kiku.ai/problems/";

    /** 401: no readable bearer token, or one no caller holds. */
    public static final String UNAUTHORIZED = BASE + "unauthorized";
    /** 403: a known caller outside the endpoint's scope. */
    public static final String FORBIDDEN = BASE + "forbidden";
    /** 400: the problem's {@code field} names the offending input; nothing was written. */
    public static final String INVALID_REQUEST = BASE + "invalid-request";
    /** 404. */
    public static final String NOT_FOUND = BASE + "not-found";
    /** 409. */
    public static final String CONFLICT = BASE + "conflict";
    /** 503 with Retry-After: the store behind the service is away for a moment; retry. */
    public static final String UNAVAILABLE = BASE + "unavailable";
    /** 422 from the ledger: the booking would take a balance beyond what the platform keeps. */
    public static final String BALANCE_LIMIT = BASE + "balance-limit";

    private ProblemTypes() {
    }
}
