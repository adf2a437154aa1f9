package ai.kiku.common.events;

import java.util.HashMap;
import java.util.Map;

/**
 * A durable event for the Telegram user behind an account. {@code id} is stable across
 * redeliveries (derived from the fact it reports), so consumers drop repeats by it.
 */
public record NotifyEvent(String id, NotifyEventType type, long accountId, long telegramUserId,
                          long amountMicros, long balanceMicros, String detail, long occurredAtMillis) {

    /** Stream fields, all strings. */
    public Map<String, String> toFields() {
        Map<String, String> f = new HashMap<>();
        f.put("id", id);
        f.put("type", type.name());
        f.put("acct", Long.toString(accountId));
        f.put("tg", Long.toString(telegramUserId));
        f.put("amount", Long.toString(amountMicros));
        f.put("balance", Long.toString(balanceMicros));
        f.put("detail", detail == null ? "" : detail);
        f.put("ts", Long.toString(occurredAtMillis));
        return f;
    }

    public static NotifyEvent fromFields(Map<String, String> f) {
        return new NotifyEvent(f.get("id"), NotifyEventType.valueOf(f.get("type")), Long.parseLong(f.get("acct")),
                Long.parseLong(f.get("tg")), Long.parseLong(f.get("amount")), Long.parseLong(f.get("balance")),
                f.getOrDefault("detail", ""), Long.parseLong(f.get("ts")));
    }
}
