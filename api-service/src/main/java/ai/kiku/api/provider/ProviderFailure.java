package ai.kiku.api.provider;

/** A provider could not serve an attempt (connection, timeout, 5xx, 429, auth); try the next one. */
public class ProviderFailure extends RuntimeException {

    private final String provider;
    private final String reason;

    public ProviderFailure(String provider, String reason, String detail) {
        super(provider + ": " + reason + (detail == null ? "" : " (" + detail + ")"), null, false, false);
        this.provider = provider;
        this.reason = reason;
    }

    public String provider() {
        return provider;
    }

    /** Short label for metrics: connect, timeout, http_503, stream, ... */
    public String reason() {
        return reason;
    }
}
