package ai.kiku.api.redis;

import ai.kiku.api.metering.MeteredProxy;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.RedisConnection;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Coalesces the flushes of a pinned Redis connection's sockets: the commands one event-loop turn
 * issues (one per HTTP request it read) reach Redis in one write instead of one syscall each,
 * cheaper for this process and for Redis, which reads them as one pipeline. A flush is postponed to
 * the end of the socket's current read, or else to a task at the end of the current turn; never by
 * a timer. The Redis client does not expose its sockets, so they are found by reflection; when that
 * fails (another client version) the connection works as before, flushing each command.
 */
final class FlushCoalescing {

    private static final Logger LOG = Logger.getLogger(FlushCoalescing.class);
    private static final String NAME = "kiku-flush-coalescing";
    private static volatile boolean warned;

    private FlushCoalescing() {
    }

    /** Installs the handler on every node socket; returns the node connections (empty when not found). */
    static List<RedisConnection> install(RedisConnection connection) {
        try {
            List<RedisConnection> nodes = new ArrayList<>();
            if (connection.getClass().getSimpleName().equals("RedisClusterConnection")) {
                for (Object node : ((Map<?, ?>) field(connection, "connections")).values()) {
                    installOn(node);
                    nodes.add((RedisConnection) node);
                }
            } else if (connection.getClass().getSimpleName().equals("RedisSentinelConnection")) {
                // the primary's pooled connection (the pinned client does not fail over in place: see PinnedRedis)
                Object primary = ((java.util.concurrent.atomic.AtomicReference<?>) field(connection, "connection")).get();
                installOn(primary);
                nodes.add((RedisConnection) primary);
            } else {
                installOn(connection);
                nodes.add(connection);
            }
            return nodes;
        } catch (Exception | LinkageError e) {
            if (!warned) {
                warned = true;
                LOG.infof("Redis flush coalescing not available (%s); commands are flushed one by one", e.toString());
            }
            return List.of();
        }
    }

    private static void installOn(Object pooled) throws ReflectiveOperationException {
        Object actual = pooled;
        if (pooled.getClass().getSimpleName().equals("PooledRedisConnection")) {
            Method m = pooled.getClass().getMethod("actual");
            actual = m.invoke(pooled);
        }
        NetSocket socket = (NetSocket) field(actual, "netSocket");
        if (socket instanceof NetSocketInternal internal) {
            ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
            if (pipeline.get(NAME) == null) {
                pipeline.addFirst(NAME, new TurnFlush());
            }
        } else {
            throw new NoSuchFieldException("netSocket of " + actual.getClass().getName());
        }
    }

    /**
     * Why not Netty's {@code FlushConsolidationHandler}: it sits nearer the socket than Vert.x's
     * handler, so it sees the end of a read before Vert.x does, and the flush Vert.x issues at that
     * moment is then deferred to a task, behind tasks queued during the read. This handler lets the
     * end of the read pass first and flushes right after, so a command written while reading a
     * reply leaves before any task queued meanwhile runs; commands written outside a read leave in
     * one task queued at their first flush. {@code MeteredProxy} relies on both.
     */
    static final class TurnFlush extends ChannelDuplexHandler {

        private boolean reading;
        private boolean pending;
        private boolean scheduled;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reading = true;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.fireChannelReadComplete();
            reading = false;
            flushPending(ctx);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            pending = true;
            if (!reading && !scheduled) {
                scheduled = true;
                ctx.channel().eventLoop().execute(() -> {
                    scheduled = false;
                    flushPending(ctx);
                });
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!ctx.channel().isWritable()) {
                flushPending(ctx);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
            flushPending(ctx);
            ctx.disconnect(promise);
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            flushPending(ctx);
            ctx.close(promise);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            flushPending(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            flushPending(ctx);
            ctx.fireExceptionCaught(cause);
        }

        private void flushPending(ChannelHandlerContext ctx) {
            if (pending) {
                pending = false;
                ctx.flush();
            }
        }
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(owner);
            } catch (NoSuchFieldException ignored) {
                // try the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }
}
