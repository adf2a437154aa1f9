package ai.kiku.api.http;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.api.service.ApiMetrics;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.GenericFutureListener;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the request-body bytes one instance reads at once. Vert.x buffers a body whole before the key is checked,
 * and it costs 3–4× its size on the heap while it is parsed and sent on: without a bound, a few dozen concurrent
 * 20 MiB uploads (no key needed) exhaust the heap and the JVM exits (ExitOnOutOfMemoryError), taking every stream
 * on the instance with it. A route takes a body's declared size (a chunked body: the route's limit) from the budget
 * before reading it; a body that does not fit is refused at once, unread, with 503 and Retry-After in the route's
 * error shape, and the bytes go back when the request ends (answered, failed, or its connection closed).
 * <p>
 * The size is {@code kiku.api.body-budget-bytes}; unset, an eighth of the maximum heap, so the bodies in flight
 * take at most about half of it (600 MiB heap: 75 MiB of bodies, three 20 MiB images at once; 256 MiB: 32 MiB). It is
 * never less than the largest body limit, which one request alone must always be able to use.
 * Bodies declared under {@link #SMALL_BODY} are not counted: ordinary calls pay nothing, and thousands of them
 * in flight hold less than one image.
 */
@ApplicationScoped
public class BodyBudget {

    private static final Logger LOG = Logger.getLogger(BodyBudget.class);
    /** Bodies declared smaller than this skip the budget. */
    public static final long SMALL_BODY = 64 * 1024;
    /** Unset, the budget is the maximum heap divided by this. */
    static final int HEAP_SHARE = 8;
    /**
     * How long a refused request's body is read and dropped before its connection is closed: a client still writing
     * gets to read the answer rather than a reset, and a slow or endless body holds nothing for long.
     */
    static final long LINGER_MILLIS = 2_000;

    private static final Problem REFUSAL = ProblemException.unavailable(
            "this instance is reading as many request bodies as it can hold; retry shortly").problem();

    private final long capacity;
    private final AtomicLong available;
    private final Counter refusals;
    private final Replies replies;
    private final Vertx vertx;

    public BodyBudget(ApiConfig config, ApiMetrics metrics, Replies replies, Vertx vertx) {
        long largest = Math.max(config.maxBodyBytes(), config.bodyLimits().chat());
        this.capacity = capacity(config.bodyBudgetBytes(), Runtime.getRuntime().maxMemory(), largest);
        if (config.bodyBudgetBytes().isPresent() && config.bodyBudgetBytes().get() < largest) {
            LOG.warnf("kiku.api.body-budget-bytes (%d) is below the largest body limit; using %d",
                    config.bodyBudgetBytes().get(), capacity);
        }
        this.available = new AtomicLong(capacity);
        this.refusals = metrics.bodyBudget(this::inFlight, capacity);
        this.replies = replies;
        this.vertx = vertx;
    }

    /** The budget's size: the configured one, else a share of {@code maxHeap}; at least {@code largestLimit}. */
    static long capacity(Optional<Long> configured, long maxHeap, long largestLimit) {
        return Math.max(configured.orElse(maxHeap / HEAP_SHARE), largestLimit);
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes taken by the bodies being read or still held by their requests. */
    public long inFlight() {
        return capacity - available.get();
    }

    /** Takes {@code bytes} if they fit; lock-free, so concurrent event loops never wait on each other. */
    boolean tryTake(long bytes) {
        for (long left = available.get(); left >= bytes; left = available.get()) {
            if (available.compareAndSet(left, left - bytes)) {
                return true;
            }
        }
        return false;
    }

    void giveBack(long bytes) {
        available.addAndGet(bytes);
    }

    /**
     * Admits the body of a request on a route that reads at most {@code limit} bytes: true when it may be read (the
     * bytes are taken until the request ends), false when it has been refused (answered here).
     */
    boolean admit(RoutingContext ctx, int limit) {
        long bytes = declared(ctx.request(), limit);
        if (bytes < SMALL_BODY) {
            return true;
        }
        if (!tryTake(bytes)) {
            refuse(ctx);
            return false;
        }
        Lease lease = new Lease(bytes);
        // the end handlers hang on the response's end, exception and close handlers; should those be replaced
        // (StreamRelay takes the close handler; the exception handler still ends the context) or the connection
        // close before this point, the connection's own close gives the bytes back
        HttpConnection connection = ctx.request().connection();
        if (connection instanceof ConnectionBase base) {
            ChannelFuture closed = base.channel().closeFuture();
            GenericFutureListener<ChannelFuture> onClose = f -> lease.release();
            closed.addListener(onClose);
            ctx.addEndHandler(ended -> {
                lease.release();
                closed.removeListener(onClose);
            });
        } else {
            ctx.addEndHandler(ended -> lease.release());
        }
        return true;
    }

    /**
     * What a body may take: its Content-Length; without one, the route's limit if a body may follow (chunked,
     * HTTP/2), else nothing. A length over the limit takes nothing: BodyHandler refuses it before reading.
     */
    static long declared(HttpServerRequest request, int limit) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            boolean bodyMayFollow = request.version() == HttpVersion.HTTP_2
                    || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
            return bodyMayFollow && !request.isEnded() ? limit : 0;
        }
        try {
            long bytes = Long.parseLong(length.trim());
            return bytes > limit ? 0 : bytes;
        } catch (NumberFormatException e) {
            return limit; // Netty lets few malformed lengths through; count the most the route reads
        }
    }

    /**
     * 503 in the route's shape, Retry-After from {@link Replies#problem}. On HTTP/1.x the answer says
     * {@code Connection: close} and the connection is closed once the body has arrived or after
     * {@link #LINGER_MILLIS}; what arrives meanwhile is dropped, never kept.
     */
    private void refuse(RoutingContext ctx) {
        refusals.increment();
        HttpServerRequest request = ctx.request();
        boolean http1 = request.version() != HttpVersion.HTTP_2;
        boolean ended = request.isEnded();
        if (http1) {
            HttpConnection connection = request.connection();
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            if (ended) {
                ctx.addEndHandler(answered -> connection.close());
            } else {
                request.endHandler(read -> connection.close());
                vertx.setTimer(LINGER_MILLIS, id -> connection.close());
            }
        }
        if (!ended) {
            request.handler(dropped -> { });
        }
        replies.problem(ctx, REFUSAL);
        if (!ended) {
            request.resume();
        }
    }

    /** The bytes of one admitted body, given back once whichever of its ends comes first. */
    private final class Lease {
        private final AtomicLong bytes;

        Lease(long bytes) {
            this.bytes = new AtomicLong(bytes);
        }

        void release() {
            long held = bytes.getAndSet(0);
            if (held > 0) {
                giveBack(held);
            }
        }
    }
}
