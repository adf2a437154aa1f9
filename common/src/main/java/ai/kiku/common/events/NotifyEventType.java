package ai.kiku.common.events;

/** Kinds of events billing-service publishes on {@code kiku:notify} for the bot. */
public enum NotifyEventType {
    PAYMENT_RECEIVED, LOW_BALANCE, KEY_CREATED, KEY_REVOKED, ACCOUNT_SUSPENDED, REFUND_ISSUED, CHARGEBACK
}
