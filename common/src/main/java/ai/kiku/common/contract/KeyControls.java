package ai.kiku.common.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * An API key's own limits (docs/key-controls.md), each null when unset (unlimited): spend caps in
 * micro-dollars in total and per UTC calendar month, the catalogue models it may call, when it
 * expires, and how many tokens it may reserve per minute. The api-service enforces them in the
 * reservation (reserve.lua).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyControls(Long spendCapMicros, Long monthlySpendCapMicros, List<String> allowedModels,
                          Instant expiresAt, Integer tokensPerMinute) {

    /** No limits. */
    public static final KeyControls NONE = new KeyControls(null, null, null, null, null);

    public boolean none() {
        return equals(NONE);
    }
}
