package ai.kiku.webhook.service;

import java.util.Map;

/**
 * The final state of one processed inbox event.
 *
 * @param status  {@code processed}, {@code held} (needs an operator; alert raised) or {@code ignored}
 * @param details stored as the row's {@code outcome} JSON
 * @param note    stored in {@code last_error}: why it was held or ignored (null when processed)
 */
public record Outcome(String status, Long accountId, Map<String, Object> details, String note) {

    public static Outcome processed(Long accountId, Map<String, Object> details) {
        return new Outcome("processed", accountId, details, null);
    }

    public static Outcome held(Long accountId, Map<String, Object> details, String note) {
        return new Outcome("held", accountId, details, note);
    }

    public static Outcome ignored(String note) {
        return new Outcome("ignored", null, Map.of("reason", note), note);
    }
}
