package ai.kiku.api.provider;

/** A provider could not serve an attempt (connection, timeout, 5xx, 429, auth); try the next one. */
public class ProviderFailure extends RuntimeException {

    private final String provider;
    private final String reason;
    private final long retryAfterSeconds;

    public ProviderFailure(String provider, String reason, String detail) {
        this(provider, reason, detail, -1);
    }

    public ProviderFailure(String provider, String reason, String detail, long retryAfterSeconds) {
        super(provider + ": " + reason + (detail == null ? "" : " (" + detail + ")"), null, false, false);
        this.provider = provider;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The provider limited our rate (429): falling over to another one may still serve the call. */
    public boolean rateLimited() {
        return "http_429".equals(reason);
    }

    /** The provider's {@code Retry-After} in whole seconds, -1 when it gave none (or a date). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String provider() {
        return provider;
    }

    /** Short label for metrics: connect, timeout, http_503, stream, ... */
    public String reason() {
        return reason;
    }
}
