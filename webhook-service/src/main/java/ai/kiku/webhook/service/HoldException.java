package ai.kiku.webhook.service;

/** Processing cannot succeed without an operator (unknown price, unknown account): hold and alert. */
public class HoldException extends RuntimeException {

    private final String reason;
    private final Long accountId;

    public HoldException(String reason, Long accountId, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.accountId = accountId;
    }

    /** Short machine name, the {@code reason} tag of the alert metric. */
    public String reason() {
        return reason;
    }

    public Long accountId() {
        return accountId;
    }
}
