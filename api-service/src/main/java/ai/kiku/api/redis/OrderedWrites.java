package ai.kiku.api.redis;

/**
 * Whether a command sent now, from this thread, leaves for Redis before any task this thread
 * queues after sending it, and without a first-use {@code NOSCRIPT} round trip. When true, an
 * answer queued behind a settle cannot reach the client before the settle reaches Redis.
 */
public interface OrderedWrites {

    boolean now();
}
