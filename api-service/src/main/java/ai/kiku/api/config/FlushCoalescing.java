package ai.kiku.api.config;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import io.vertx.redis.client.RedisConnection;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Puts Netty's {@link FlushConsolidationHandler} in front of the sockets of a pinned Redis
 * connection, so the commands one event-loop turn issues (one per HTTP request it read) reach Redis
 * in one write instead of one syscall each: cheaper for this process and for Redis, which then reads
 * and answers them as one pipeline. A flush is only postponed to the end of the current event-loop
 * turn, never by a timer. The Redis client does not expose its sockets, so they are found by
 * reflection; when that fails (another client version) the connection simply works as before.
 */
final class FlushCoalescing {

    private static final Logger LOG = Logger.getLogger(FlushCoalescing.class);
    private static final String NAME = "kiku-flush-coalescing";
    private static volatile boolean warned;

    private FlushCoalescing() {
    }

    static void install(RedisConnection connection) {
        try {
            Object target = connection;
            if (target.getClass().getSimpleName().equals("RedisClusterConnection")) {
                Map<?, ?> nodes = (Map<?, ?>) field(target, "connections");
                for (Object node : nodes.values()) {
                    installOn(node);
                }
            } else {
                installOn(target);
            }
        } catch (Exception | LinkageError e) {
            if (!warned) {
                warned = true;
                LOG.infof("Redis flush coalescing not available (%s); commands are flushed one by one", e.toString());
            }
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
                pipeline.addFirst(NAME, new FlushConsolidationHandler(
                        FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
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
