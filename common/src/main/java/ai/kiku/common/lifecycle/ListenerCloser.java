package ai.kiku.common.lifecycle;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;
import org.jboss.logging.Logger;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Makes a draining instance refuse new connections while the ones it accepted carry on. A balancer
 * retries a refused connection on another instance (even a POST: nothing was sent) and marks this one
 * failed, whereas a 503 to a POST it already sent reaches the client as a failure.
 * <p>
 * Vert.x 4.5 can only close an HTTP server as a whole, which also closes every accepted connection
 * (its streams included). The listening socket is the Netty server channel each shared
 * {@code HttpServerImpl} keeps in the private field {@code TCPServerBase.bindFuture}; closing that
 * channel alone stops accepting and leaves its child channels open. This reflection lives here only,
 * fails safe (a WARN, and the caller keeps refusing with 503 instead), and {@code ListenerCloserTest}
 * breaks when a Vert.x upgrade moves the field.
 */
final class ListenerCloser {

    private static final Logger LOG = Logger.getLogger(ListenerCloser.class);
    static final String FIELD = "bindFuture";
    static final String BALANCER_FIELD = "channelBalancer";
    static final String GROUP_FIELD = "channelGroup";

    private ListenerCloser() {
    }

    /**
     * Closes the listening channel of every HTTP server of {@code vertx}; true when at least one was
     * closed and none could not be, false (after a WARN) when new connections may still be accepted.
     */
    static boolean closeListeners(Vertx vertx) {
        List<Channel> listeners;
        try {
            listeners = listeningChannels(vertx);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warnf("cannot stop accepting connections (%s: Vert.x internals changed?); new requests get 503 instead",
                    e.toString());
            return false;
        }
        if (listeners.isEmpty()) {
            LOG.warn("no listening HTTP server found to close; new requests get 503 instead");
            return false;
        }
        for (Channel listener : listeners) {
            listener.close().addListener(closed -> {
                if (closed.isSuccess()) {
                    LOG.infof("stopped accepting connections on %s; open connections carry on", listener.localAddress());
                } else {
                    LOG.warnf("closing the listener on %s failed: %s", listener.localAddress(), closed.cause());
                }
            });
        }
        return true;
    }

    /**
     * Counts the connections the HTTP servers of {@code vertx} accepted and that are still open (Netty's channel
     * group of each server, which forgets a connection when it closes); -1 when the count cannot be had. Take it
     * before {@link #closeListeners}: a server whose listener closes leaves Vert.x's map of shared servers.
     */
    static IntSupplier openConnections(Vertx vertx) {
        List<ChannelGroup> groups = new ArrayList<>();
        try {
            Field balancer = TCPServerBase.class.getDeclaredField(BALANCER_FIELD);
            balancer.setAccessible(true);
            for (HttpServerImpl server : sharedServers(vertx)) {
                Object channelBalancer = balancer.get(server);
                if (channelBalancer == null) {
                    continue;
                }
                Field group = channelBalancer.getClass().getDeclaredField(GROUP_FIELD);
                group.setAccessible(true);
                groups.add((ChannelGroup) group.get(channelBalancer));
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warnf("cannot count open connections (%s: Vert.x internals changed?); the close phase lasts its full time",
                    e.toString());
            return () -> -1;
        }
        return () -> groups.stream().mapToInt(ChannelGroup::size).sum();
    }

    private static List<HttpServerImpl> sharedServers(Vertx vertx) {
        Map<?, HttpServerImpl> shared = ((VertxInternal) vertx).sharedHttpServers();
        synchronized (shared) {
            return new ArrayList<>(shared.values());
        }
    }

    @SuppressWarnings("unchecked")
    static List<Channel> listeningChannels(Vertx vertx) throws ReflectiveOperationException {
        Field bindFuture = TCPServerBase.class.getDeclaredField(FIELD);
        if (!Future.class.isAssignableFrom(bindFuture.getType())) {
            throw new NoSuchFieldException(FIELD + " is a " + bindFuture.getType().getName() + ", not a Future");
        }
        bindFuture.setAccessible(true);
        List<Channel> channels = new ArrayList<>();
        for (HttpServerImpl server : sharedServers(vertx)) {
            Future<Channel> bound = (Future<Channel>) bindFuture.get(server);
            if (bound != null && bound.succeeded() && bound.result() != null && bound.result().isOpen()) {
                channels.add(bound.result());
            }
        }
        return channels;
    }
}
