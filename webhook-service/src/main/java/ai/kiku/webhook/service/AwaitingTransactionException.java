package ai.kiku.webhook.service;

/**
 * An adjustment arrived before its transaction was credited: not a failure but a wait, which lasts as
 * long as Paddle may still be retrying the transaction's delivery ({@code kiku.webhook.await-transaction})
 * and spends none of the retry budget that real failures have.
 */
public class AwaitingTransactionException extends RuntimeException {

    public AwaitingTransactionException(String detail) {
        super(detail, null, false, false);
    }
}
