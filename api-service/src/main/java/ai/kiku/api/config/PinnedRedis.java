package ai.kiku.api.config;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * The Redis client of the hot path. Each event-loop thread gets its own small client (cluster, standalone or
 * sentinel, as {@code kiku.redis.mode} says) whose connections live on that same thread, and keeps one connection
 * pipelining its commands.
 * The shared pooled client would lease a connection per node for every command, and its
 * connections may live on another event loop, which costs two thread hand-offs per command (a few
 * hundred microseconds on a busy machine). The pinned connection is renewed every few seconds (so
 * slot moves are picked up) and at once after any connection-level failure (a Sentinel failover closes the demoted
 * server's connections: the fresh connection asks the sentinels for the new primary); calls from outside an
 * event loop, or when its queue is full, use the shared client. A failed command is never retried
 * here: the caller decides (money commands are idempotent by hold id or reference). A new
 * connection loads the metering scripts on every node before it serves, and tells
 * ({@link OrderedWrites}) when a command sent now is sure to leave ahead of tasks queued after it.
 */
final class PinnedRedis implements Redis, OrderedWrites {

    private final Redis shared;
    private final Vertx vertx;
    private final RedisOptions options;
    private final long renewMillis;
    private final List<Request> preload;
    private final ThreadLocal<Local> local = new ThreadLocal<>();

    /** One event loop's own client and its current pinned connection. */
    private static final class Local {
        final Redis client;
        Pinned pinned;
        /** A renewal being connected while {@code pinned} keeps serving. */
        Pinned next;

        Local(Redis client) {
            this.client = client;
        }
    }

    private static final class Pinned {
        long since;
        volatile boolean broken;
        Future<RedisConnection> connection;
        /** The connection once established (only read and written on its event loop). */
        volatile RedisConnection ready;
        /** Every node socket coalesces flushes in order and has the metering scripts cached. */
        volatile boolean ordered;

        Pinned(long since) {
            this.since = since;
        }
    }

    PinnedRedis(Redis shared, Vertx vertx, RedisOptions options, long renewMillis, List<Request> preload) {
        this.shared = shared;
        this.vertx = vertx;
        this.options = options;
        this.renewMillis = renewMillis;
        this.preload = preload;
    }

    @Override
    public boolean now() {
        Context context = Vertx.currentContext();
        Local mine = local.get();
        Pinned current = mine == null ? null : mine.pinned;
        return context != null && context.isEventLoopContext() && current != null && current.ordered
                && !current.broken && current.ready != null && !current.ready.pendingQueueFull();
    }

    @Override
    public Future<Response> send(Request request) {
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            return shared.send(request);
        }
        Pinned current = current();
        RedisConnection ready = current.ready;
        if (ready != null) {
            // the common case: no Future composition per command
            return sendOn(current, ready, request);
        }
        return current.connection.compose(connection -> sendOn(current, connection, request),
                failure -> shared.send(request));
    }

    private Future<Response> sendOn(Pinned current, RedisConnection connection, Request request) {
        if (connection.pendingQueueFull()) {
            return shared.send(request);
        }
        return connection.send(request).onFailure(failure -> {
            if (!isReply(failure)) {
                current.broken = true;
            }
        });
    }

    /**
     * The connection to send on. A renewal connects in the background and the current connection
     * keeps serving until the new one is ready, so commands never wait on a reconnect (a CLUSTER
     * SLOTS round trip and connects) and keep the order they were issued in. Only a broken
     * connection, or none yet, makes commands wait for the next one.
     */
    private Pinned current() {
        Local mine = local.get();
        if (mine == null) {
            mine = new Local(Redis.createClient(vertx, new RedisOptions(options)));
            local.set(mine);
        }
        Pinned current = mine.pinned;
        long now = System.currentTimeMillis();
        if (current == null || current.broken) {
            mine.next = null;
            mine.pinned = connect(mine, now);
            retire(current);
            return mine.pinned;
        }
        if (now - current.since >= renewMillis && mine.next == null) {
            mine.next = connect(mine, now);
        }
        Pinned next = mine.next;
        if (next != null && (next.ready != null || next.broken)) {
            mine.next = null;
            // never trade an ordered connection for one whose scripts could not be loaded
            if (next.ready != null && !next.broken && (next.ordered || !current.ordered)) {
                mine.pinned = next;
                retire(current);
                return next;
            }
            current.since = now; // the renewal failed: keep the working connection, try again later
            retire(next);
        }
        return current;
    }

    private Pinned connect(Local mine, long now) {
        Pinned fresh = new Pinned(now);
        fresh.connection = mine.client.connect().onSuccess(connection -> {
            connection.exceptionHandler(e -> fresh.broken = true);
            connection.endHandler(v -> fresh.broken = true);
            List<RedisConnection> nodes = FlushCoalescing.install(connection);
            if (nodes.isEmpty()) {
                fresh.ready = connection;
                return;
            }
            // Cache the metering scripts on every node before serving, so a settle never needs the
            // NOSCRIPT-then-EVAL round trip that would let an answer queued behind it overtake it.
            List<Future<Response>> loads = new ArrayList<>();
            for (RedisConnection node : nodes) {
                preload.forEach(script -> loads.add(node.send(script)));
            }
            Future.all(loads).onComplete(loaded -> {
                fresh.ordered = loaded.succeeded();
                fresh.ready = connection;
            });
        }).onFailure(e -> fresh.broken = true);
        return fresh;
    }

    /** Lets commands still in flight on a replaced connection finish before closing it. */
    private void retire(Pinned old) {
        if (old != null) {
            old.connection.onSuccess(c -> vertx.setTimer(Math.max(1000, renewMillis), t -> c.close()));
        }
    }

    /** An error reply from Redis (e.g. NOSCRIPT) is an answer, not a broken connection. */
    private static boolean isReply(Throwable failure) {
        return failure.getClass().getSimpleName().equals("ErrorType");
    }

    @Override
    public Future<RedisConnection> connect() {
        return shared.connect();
    }

    @Override
    public void close() {
        shared.close();
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
        return shared.batch(requests);
    }
}
