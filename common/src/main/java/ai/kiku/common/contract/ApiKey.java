package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * An API key as shown to its owner; {@code key} (the plaintext) is present only in the creation answer,
 * {@code controls} only when the key has some.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKey(long keyId, @JsonInclude(JsonInclude.Include.NON_NULL) String key, String prefix, String name,
                     int rateLimitPerMinute, String status, Instant createdAt, Instant lastUsedAt,
                     @JsonInclude(JsonInclude.Include.NON_NULL) KeyControls controls) {

    public static final String ACTIVE = "active";
    public static final String REVOKED = "revoked";

    /** A key without controls. */
    public ApiKey(long keyId, String key, String prefix, String name, int rateLimitPerMinute, String status,
                  Instant createdAt, Instant lastUsedAt) {
        this(keyId, key, prefix, name, rateLimitPerMinute, status, createdAt, lastUsedAt, null);
    }

    public ApiKey withPlaintext(String plaintext) {
        return new ApiKey(keyId, plaintext, prefix, name, rateLimitPerMinute, status, createdAt, lastUsedAt, controls);
    }

    /** Its controls, {@link KeyControls#NONE} when it has none. */
    public KeyControls controlsOrNone() {
        return controls == null ? KeyControls.NONE : controls;
    }
}
