package ai.kiku.billing.outbox;

/** One pending status change: an account's state or one key's state to publish, and maybe an event. */
public record OutboxRow(long accountId, long outboxId, String kind, Long keyId, String event, int attempts) {

    public static final String ACCOUNT = "account";
    public static final String KEY = "key";
}
