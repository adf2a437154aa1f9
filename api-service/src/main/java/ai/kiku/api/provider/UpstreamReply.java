package ai.kiku.api.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * What a provider answered. A 2xx carries either the completion ({@code json}, with its original
 * bytes in {@code raw} when it came over HTTP) or, for streams, the paused SSE byte stream. A 4xx
 * the upstream blamed on the request carries its status and {@code raw} error body.
 */
public record UpstreamReply(int status, ObjectNode json, Buffer raw, ReadStream<Buffer> stream) {

    public static UpstreamReply completion(ObjectNode json, Buffer raw) {
        return new UpstreamReply(200, json, raw, null);
    }

    public static UpstreamReply streaming(ReadStream<Buffer> stream) {
        return new UpstreamReply(200, null, null, stream);
    }

    public static UpstreamReply rejected(int status, Buffer body) {
        return new UpstreamReply(status, null, body, null);
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
