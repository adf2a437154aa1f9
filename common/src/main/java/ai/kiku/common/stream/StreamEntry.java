package ai.kiku.common.stream;

import java.util.Map;

/** One stream entry; {@code fields} is null when the entry was deleted while still pending. */
public record StreamEntry(String id, Map<String, String> fields) {

    public boolean deleted() {
        return fields == null;
    }
}
