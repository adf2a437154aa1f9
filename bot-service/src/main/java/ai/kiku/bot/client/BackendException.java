package ai.kiku.bot.client;

/** A call to billing- or webhook-service that failed: {@code status} 0 when the service was unreachable. */
public class BackendException extends RuntimeException {

    private final int status;
    private final String detail;

    public BackendException(String service, int status, String detail) {
        super(service + " answered " + (status == 0 ? "nothing" : Integer.toString(status))
                + (detail == null ? "" : ": " + detail), null, false, false);
        this.status = status;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    /** The problem+json {@code detail} of the answer, when there was one. */
    public String detail() {
        return detail;
    }
}
