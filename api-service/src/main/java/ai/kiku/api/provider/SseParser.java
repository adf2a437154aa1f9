package ai.kiku.api.provider;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Splits a Server-Sent Events byte stream into the data payloads of its events (multi-line data
 * joined with newlines), with their {@code event:} name when they have one (the Responses API names
 * its events; comments and other fields are ignored). Bytes are decoded only once a line is complete,
 * so a UTF-8 character split across network chunks is never broken.
 */
public final class SseParser {

    private final BiConsumer<String, String> onEvent;
    private Buffer pending = Buffer.buffer();
    private StringBuilder data;
    private String event;

    public SseParser(Consumer<String> onData) {
        this((event, payload) -> onData.accept(payload));
    }

    private SseParser(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    /** A parser handing {@code onEvent} each event's name (null when unnamed) and data payload. */
    public static SseParser named(BiConsumer<String, String> onEvent) {
        return new SseParser(onEvent);
    }

    public void feed(Buffer chunk) {
        pending.appendBuffer(chunk);
        int start = 0;
        int length = pending.length();
        for (int i = 0; i < length; i++) {
            if (pending.getByte(i) == '\n') {
                int end = i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i;
                line(pending.getString(start, end, StandardCharsets.UTF_8.name()));
                start = i + 1;
            }
        }
        if (start > 0) {
            pending = start == length ? Buffer.buffer() : pending.getBuffer(start, length);
        }
    }

    /** Flushes an event the upstream did not terminate with a blank line. */
    public void finish() {
        if (pending.length() > 0) {
            line(pending.toString(StandardCharsets.UTF_8));
            pending = Buffer.buffer();
        }
        line("");
    }

    private void line(String line) {
        if (line.isEmpty()) {
            String name = event;
            event = null;
            if (data != null) {
                String payload = data.toString();
                data = null;
                onEvent.accept(name, payload);
            }
            return;
        }
        if (line.startsWith("event:")) {
            event = line.length() > 6 && line.charAt(6) == ' ' ? line.substring(7) : line.substring(6);
            return;
        }
        if (line.startsWith("data:")) {
            String value = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
            if (data == null) {
                data = new StringBuilder(value);
            } else {
                data.append('\n').append(value);
            }
        }
    }
}
