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
 *       may be writing the next request into it. This close phase ({@code kiku.shutdown.close-phase}, the
 *       last part of the drain delay) outlasts the balancer's idle keep-alive (2 s in deploy/nginx), so by
 *       its end every connection was closed after an answer or by the balancer itself;</li>
 *   <li>Quarkus' shutdown then waits up to {@code kiku.shutdown.timeout} for the requests in flight, stops
 *       the consumers and closes the stores; the process exits 0.</li>
 * </ol>
 * Should the listener not close (a Vert.x without the private field {@link ListenerCloser} uses), new
 * requests get a 503 problem with Retry-After from the end of the drain instead, {@code /q/*} excepted.
 */
@Singleton
public class DrainGate {

    private static final Logger LOG = Logger.getLogger(DrainGate.class);

    private final Vertx vertx;
    private final Duration drain;
    private final Duration closePhase;
    private final Event<ShutdownStarted> started;
    private final Buffer refusal;
    private final AtomicBoolean begun = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean refusing;

    public DrainGate(Vertx vertx,
                     @ConfigProperty(name = "kiku.shutdown.drain-delay", defaultValue = "0s") Duration drain,
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
                + "after one more answer for %d ms", drain.minus(closePhase).toMillis(), closePhase.toMillis());
        vertx.setTimer(Math.max(1, drain.minus(closePhase).toMillis()), id -> {
            if (!ListenerCloser.closeListeners(vertx)) {
                refusing = true;
            }
            closing = true;
            vertx.setTimer(Math.max(1, closePhase.toMillis()), later -> then.run());
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
