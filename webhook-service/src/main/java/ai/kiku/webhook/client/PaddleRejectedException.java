package ai.kiku.webhook.client;

/** Paddle refused a request (4xx other than 429): retrying the same request cannot help. */
public class PaddleRejectedException extends RuntimeException {

    public PaddleRejectedException(String message) {
        super(message);
    }
}
