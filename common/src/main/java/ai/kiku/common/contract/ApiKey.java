package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/** An API key as shown to its owner; {@code key} (the plaintext) is present only in the creation answer. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKey(long keyId, @JsonInclude(JsonInclude.Include.NON_NULL) String key, String prefix, String name,
                     int rateLimitPerMinute, String status, Instant createdAt, Instant lastUsedAt) {

    public static final String ACTIVE = "active";
    public static final String REVOKED = "revoked";

    public ApiKey withPlaintext(String plaintext) {
        return new ApiKey(keyId, plaintext, prefix, name, rateLimitPerMinute, status, createdAt, lastUsedAt);
    }
}
