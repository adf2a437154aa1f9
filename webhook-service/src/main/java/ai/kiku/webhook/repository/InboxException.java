package ai.kiku.webhook.repository;

/** A statement on the inbox failed (database down, timed out, or refused it); {@link #sqlState()} says which. */
public class InboxException extends Exception {

    private final String sqlState;

    public InboxException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** PostgreSQL's SQLSTATE when the server refused the statement; null when it was never reached. */
    public String sqlState() {
        return sqlState;
    }

    /** Class 22 (data exception): the statement can never succeed with these values, so retrying is pointless. */
    public boolean invalidData() {
        return sqlState != null && sqlState.startsWith("22");
    }
}
