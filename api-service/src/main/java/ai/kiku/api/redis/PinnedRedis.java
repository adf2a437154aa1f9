package ai.kiku.api.redis;

import ai.kiku.common.redis.ReplicatedWrites;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Redis client of the hot path. Each event-loop thread gets its own small client (cluster, standalone or
 * sentinel, as {@code kiku.redis.mode} says) whose connections live on that same thread, and keeps one connection
 * pipelining its commands.
 * The shared pooled client would lease a connection per node for every command, and its
 * connections may live on another event loop, which costs two thread hand-offs per command (a few
 * hundred microseconds on a busy machine). The pinned connection is renewed every few seconds (so
 * slot moves are picked up) and at once after any connection-level failure. In sentinel mode also at once when a
 * sentinel announces {@code +switch-master} ({@link SwitchMasterWatch}), and when the server refuses a write as no
 * longer (or not yet safely) the primary: READONLY, NOREPLICAS or MASTERDOWN. The fresh connection asks the sentinels
 * for the primary. Without that, a planned {@code SENTINEL FAILOVER} left the connection on the old primary until the
 * sentinels demoted it (~10-20 s), and writes it took meanwhile were discarded by its resync. Calls from outside an
 * event loop, or when its queue is full, use the shared client. A failed command is never retried
 * here: the caller decides (money commands are idempotent by hold id or reference). A new
 * connection loads the metering scripts on every node before it serves, and tells
 * ({@link OrderedWrites}) when a command sent now is sure to leave ahead of tasks queued after it.
 */
final class PinnedRedis implements Redis, OrderedWrites, ReplicatedWrites {

    /** Least age of a connection renewed because the server refused a write as not the primary. */
    static final long REFUSED_RENEW_MILLIS = 1_000;

    private final Redis shared;
    private final Vertx vertx;
    private final RedisOptions options;
    private final long renewMillis;
    private final List<Request> preload;
    private final ThreadLocal<Local> local = new ThreadLocal<>();
    /** Sentinel mode: every event loop's state, for {@link #switchMaster()}; null in other modes. */
    private final Set<Local> locals;
    private final SwitchMasterWatch watch;

    /** One event loop's own client and its current pinned connection. */
    private static final class Local {
        /** The event loop this state belongs to; only that thread reads or writes the fields below. */
        final Context context;
        Redis client;
        Pinned pinned;
        /** A renewal being connected while {@code pinned} keeps serving. */
        Pinned next;
        /**
         * Sentinel mode: the primary changed, so the next connection needs a client of its own (a client caches the
         * sentinels' answer for a second, which may name the old primary). Only read once a connection is broken.
         */
        boolean stale;

        Local(Context context, Redis client) {
            this.context = context;
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
        /** Sentinel mode: the writes of this event-loop turn awaiting their replica confirmation. */
        ReplicaConfirm.Group group;

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
        if (options.getType() == RedisClientType.SENTINEL) {
            this.locals = ConcurrentHashMap.newKeySet();
            this.watch = new SwitchMasterWatch(vertx, new RedisOptions(options).setRole(RedisRole.SENTINEL),
                    this::switchMaster);
        } else {
            this.locals = null;
            this.watch = null;
        }
    }

    /**
     * A sentinel announced a new primary: each event loop, at its next task, marks its connections broken, so its next
     * command connects anew (the event-loop state stays confined to its thread: nothing more to read per command).
     */
    void switchMaster() {
        for (Local mine : locals) {
            mine.context.runOnContext(v -> {
                mine.stale = true;
                markBroken(mine.next);
                markBroken(mine.pinned);
            });
        }
    }

    private static void markBroken(Pinned pinned) {
        if (pinned != null) {
            pinned.broken = true;
        }
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

    /** Sentinel mode: the reply once the replica has the write ({@link ReplicaConfirm}); elsewhere {@link #send}. */
    @Override
    public Future<Response> sendReplicated(Request request) {
        if (locals == null) {
            return send(request);
        }
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            return ReplicaConfirm.onShared(shared, request);
        }
        Pinned current = current();
        RedisConnection ready = current.ready;
        if (ready != null) {
            return replicatedOn(context, current, ready, request);
        }
        return current.connection.compose(connection -> replicatedOn(context, current, connection, request),
                failure -> ReplicaConfirm.onShared(shared, request));
    }

    private Future<Response> replicatedOn(Context context, Pinned current, RedisConnection connection, Request request) {
        if (connection.pendingQueueFull()) {
            return ReplicaConfirm.onShared(shared, request);
        }
        Future<Response> reply = sendOn(current, connection, request);
        ReplicaConfirm.Group group = current.group;
        if (group == null) {
            ReplicaConfirm.Group fresh = new ReplicaConfirm.Group();
            current.group = fresh;
            group = fresh;
            // after this turn's other commands: one WAIT covers them all
            context.runOnContext(v -> {
                current.group = null;
                connection.send(ReplicaConfirm.waitRequest()).onComplete(fresh::waited);
            });
        }
        return group.confirm(reply);
    }

    private Future<Response> sendOn(Pinned current, RedisConnection connection, Request request) {
        if (connection.pendingQueueFull()) {
            return shared.send(request);
        }
        return connection.send(request).onFailure(failure -> {
            if (!isReply(failure) || locals != null && refusedAsNotPrimary(current, failure)) {
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
            mine = new Local(Vertx.currentContext(), Redis.createClient(vertx, new RedisOptions(options)));
            local.set(mine);
            if (locals != null) {
                locals.add(mine);
            }
        }
        Pinned current = mine.pinned;
        long now = System.currentTimeMillis();
        if (current == null || current.broken) {
            if (mine.stale) {
                mine.stale = false;
                Redis old = mine.client;
                mine.client = Redis.createClient(vertx, new RedisOptions(options));
                vertx.setTimer(Math.max(1000, renewMillis), t -> old.close());
            }
            retire(mine.next);
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
            // sentinel mode: a connection left for a failover or a refusal goes back to the per-loop pool (8) soon,
            // or renewals at that pace would exhaust it; what is still in flight there has had a second
            long delay = locals != null && old.broken ? 1000 : Math.max(1000, renewMillis);
            old.connection.onSuccess(c -> vertx.setTimer(delay, t -> c.close()));
        }
    }

    /** An error reply from Redis (e.g. NOSCRIPT) is an answer, not a broken connection. */
    private static boolean isReply(Throwable failure) {
        return failure.getClass().getSimpleName().equals("ErrorType");
    }

    /**
     * Sentinel mode: a write refused because the server is a replica now (READONLY), is a primary that lost its
     * replica (NOREPLICAS: an old primary, or a new one whose replica has not joined yet) or a replica cut from its
     * primary (MASTERDOWN). Nothing was written; the caller gets the failure. The connection is renewed through the
     * sentinels, at most once a second per event loop (a new primary refuses until its replica joins).
     */
    private static boolean refusedAsNotPrimary(Pinned current, Throwable failure) {
        String message = failure.getMessage();
        return message != null && (message.startsWith("READONLY") || message.startsWith("NOREPLICAS")
                || message.startsWith("MASTERDOWN"))
                && System.currentTimeMillis() - current.since >= REFUSED_RENEW_MILLIS;
    }

    @Override
    public Future<RedisConnection> connect() {
        return shared.connect();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        shared.close();
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
        return shared.batch(requests);
    }
}
