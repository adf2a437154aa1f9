package ai.kiku.common.lifecycle;

import ai.kiku.common.error.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Lets a shutting-down instance leave a balancer (nginx: static upstreams, passive health checks,
 * keepalive, POSTs retried only when never sent) without failing a request. SIGTERM ({@link TermSignal})
 * starts it, before Quarkus' own shutdown, in this order:
 * <ol>
 *   <li>readiness turns DOWN ({@link DrainReadiness}) and {@link ShutdownStarted} is fired;</li>
 *   <li>for {@code kiku.shutdown.drain-delay} minus its close phase the instance serves as before, keep-alive included, so that
 *       a balancer that follows readiness moves away, and one that does not (nginx) keeps reusing its
 *       pooled connections rather than opening new ones;</li>
 *   <li>then it stops accepting connections ({@link ListenerCloser}): a new connection is refused, which
 *       a balancer retries elsewhere (even a POST) and counts as a failure of this instance, while the
 *       accepted connections and the requests in flight, streams included, go on. Few connections can be
 *       waiting in the kernel's accept queue at that moment (closing resets them, and a POST written into
 *       one is lost to its client): keeping connections alive through the drain is what keeps new ones rare;</li>
 *   <li>from then on every HTTP/1.x response whose headers are not yet written carries
 *       {@code Connection: close}, and its connection is closed once it is sent (Vert.x does not close on
 *       the header alone): each open connection carries at most one more request, which is served (it may
 *       be a POST the balancer can no longer send elsewhere). A connection is closed only after a response
 *       that announced it: closing one whose last response said keep-alive would race the balancer, which
 *       may be writing the next request into it. This close phase lasts until every accepted connection is
 *       closed, after an answer that announced it or by the balancer itself (nginx's idle keep-alive: 2 s in
 *       deploy/nginx), and at most as long as the drain delay (a balancer that never idles its connections out).
 *       Waiting for the count rather than a fixed time is what keeps a slow balancer safe: nginx starved of CPU
 *       closes its idle connections late, and closing them under it loses the POSTs it writes into them;</li>
 *   <li>Quarkus' shutdown then waits up to {@code kiku.shutdown.timeout} for the requests in flight, stops
 *       the consumers and closes the stores; the process exits 0.</li>
 * </ol>
 * Should the listener not close (a Vert.x without the private field {@link ListenerCloser} uses), new
 * requests get a 503 problem with Retry-After from the end of the drain instead, {@code /q/*} excepted.
 */
@Singleton
public class DrainGate {

    private static final Logger LOG = Logger.getLogger(DrainGate.class);
    /** How often the close phase counts the connections still open. */
    private static final long CLOSE_POLL_MILLIS = 50;

    private final Vertx vertx;
    private final Duration drain;
    private final Duration closePhase;
    private final Event<ShutdownStarted> started;
    private final Buffer refusal;
    private final AtomicBoolean begun = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean refusing;

    public DrainGate(Vertx vertx,
                     @ConfigProperty(name = "kiku.shutdown.drain-delay") Duration drain,
                     @ConfigProperty(name = "kiku.shutdown.close-phase", defaultValue = "3s") Duration closePhase,
                     Event<ShutdownStarted> started, ObjectMapper mapper) throws JsonProcessingException {
        this.vertx = vertx;
        this.drain = drain;
        // the last part of the drain: at most half of it, so some keep-alive serving always comes first
        this.closePhase = closePhase.compareTo(drain.dividedBy(2)) > 0 ? drain.dividedBy(2) : closePhase;
        this.started = started;
        this.refusal = Buffer.buffer(mapper.writeValueAsBytes(new Problem("https://kiku.ai/problems/shutting-down",
                "Service Unavailable", 503, "this instance is shutting down; retry, another instance answers")));
    }

    /** Starts the drain once; {@code then} runs when it is over (Quarkus' shutdown). */
    public void begin(Runnable then) {
        if (!begun.compareAndSet(false, true)) {
            return;
        }
        started.fire(new ShutdownStarted(System.nanoTime()));
        LOG.infof("shutting down: readiness DOWN, serving %d ms more, then refusing connections and closing each open one "
                + "after one more answer, until none is open (at most %d ms)", drain.minus(closePhase).toMillis(),
                drain.toMillis());
        vertx.setTimer(Math.max(1, drain.minus(closePhase).toMillis()), id -> {
            // counted from before the close: a server whose listener closed leaves Vert.x's map
            IntSupplier open = ListenerCloser.openConnections(vertx);
            if (!ListenerCloser.closeListeners(vertx)) {
                refusing = true;
            }
            closing = true;
            awaitConnectionsClosed(refusing ? () -> -1 : open, System.nanoTime(), then);
        });
    }

    /**
     * Ends the close phase once no accepted connection is open (nothing can reach this instance any more), or at
     * its limit; without a count (or with the listener still open) after {@code kiku.shutdown.close-phase}.
     */
    private void awaitConnectionsClosed(IntSupplier open, long since, Runnable then) {
        vertx.setTimer(CLOSE_POLL_MILLIS, id -> {
            long elapsed = System.nanoTime() - since;
            int left = open.getAsInt();
            boolean over = left < 0 ? elapsed >= closePhase.toNanos()
                    : left == 0 || elapsed >= drain.toNanos();
            if (!over) {
                awaitConnectionsClosed(open, since, then);
                return;
            }
            if (left > 0) {
                LOG.warnf("%d connections still open after %d ms of close phase; closing them", left,
                        Duration.ofNanos(elapsed).toMillis());
            } else {
                LOG.infof("close phase over after %d ms (%s)", Duration.ofNanos(elapsed).toMillis(),
                        left == 0 ? "every connection closed" : "connections not counted");
            }
            then.run();
        });
    }

    /** Whether SIGTERM started the drain (readiness is DOWN). */
    public boolean draining() {
        return begun.get();
    }

    void mount(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            // HTTP/2 is left alone: it multiplexes, closing would cut other streams
            if (request.version() != HttpVersion.HTTP_2) {
                // decided when the headers leave, so a request that began before the drain ended is covered too;
                // only then is the connection closed, after the answer that announced it
                ctx.addHeadersEndHandler(v -> {
                    if (closing) {
                        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                        ctx.addEndHandler(ended -> request.connection().close());
                    }
                });
            }
            if (refusing && !ctx.normalizedPath().startsWith("/q/")) {
                ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader("Retry-After", "1").end(refusal);
                return;
            }
            ctx.next();
        });
    }
}
