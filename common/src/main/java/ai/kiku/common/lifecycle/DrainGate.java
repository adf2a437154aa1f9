package ai.kiku.common.lifecycle;

import ai.kiku.common.error.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Lets a shutting-down instance leave a balancer (nginx: static upstreams, passive health checks,
 * keepalive, POSTs retried only when never sent) without failing a request. On SIGTERM
 * (Quarkus' {@code ShutdownDelayInitiatedEvent}), in this order:
 * <ol>
 *   <li>readiness turns DOWN (Quarkus), and from now on every HTTP/1.x response carries
 *       {@code Connection: close} and its connection is closed once it is sent (Vert.x does not close
 *       on the header alone), so each kept-alive connection carries at most one more request and the
 *       balancer drops it after a complete answer; a request already running at SIGTERM (a stream)
 *       has its connection closed when it ends, too;</li>
 *   <li>the instance keeps serving for {@code kiku.shutdown.drain-delay};</li>
 *   <li>then it stops accepting connections ({@link ListenerCloser}): a new connection is refused, which
 *       a balancer retries elsewhere (even a POST) and counts as a failure of this instance, while the
 *       accepted connections and the requests in flight, streams included, go on;</li>
 *   <li>a request that still arrives on an already-open connection more than
 *       {@code kiku.shutdown.refuse-grace} after that (a client idle since before the drain) is answered
 *       503 problem with Retry-After and Connection: close, {@code /q/*} (probes, metrics) excepted;
 *       if the listener could not be closed, that 503 starts at the end of the drain instead;</li>
 *   <li>Quarkus waits up to {@code kiku.shutdown.timeout} for the requests in flight, then closes the
 *       server and the stores.</li>
 * </ol>
 */
@Singleton
public class DrainGate {

    private static final Logger LOG = Logger.getLogger(DrainGate.class);

    private final Vertx vertx;
    private final Duration drain;
    private final long graceNanos;
    private final Buffer refusal;
    private volatile boolean shuttingDown;
    private volatile long refuseFromNanos;

    public DrainGate(Vertx vertx,
                     @ConfigProperty(name = "kiku.shutdown.drain-delay", defaultValue = "0s") Duration drain,
                     @ConfigProperty(name = "kiku.shutdown.refuse-grace", defaultValue = "1s") Duration grace,
                     ObjectMapper mapper) throws JsonProcessingException {
        this.vertx = vertx;
        this.drain = drain;
        this.graceNanos = grace.toNanos();
        this.refusal = Buffer.buffer(mapper.writeValueAsBytes(new Problem("https://kiku.ai/problems/shutting-down",
                "Service Unavailable", 503, "this instance is shutting down; retry, another instance answers")));
    }

    void draining(@Observes ShutdownDelayInitiatedEvent event) {
        refuseFromNanos = System.nanoTime() + drain.toNanos() + graceNanos;
        shuttingDown = true;
        LOG.infof("shutting down: readiness DOWN, one request per connection, serving %d ms more, then refusing connections",
                drain.toMillis());
        vertx.setTimer(Math.max(1, drain.toMillis()), id -> drained());
    }

    private void drained() {
        if (!ListenerCloser.closeListeners(vertx)) {
            refuseFromNanos = System.nanoTime();
        }
    }

    /** Whether requests on connections still open are refused now (the drain and its grace are over). */
    public boolean refusing() {
        return shuttingDown && System.nanoTime() - refuseFromNanos >= 0;
    }

    void mount(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            // HTTP/2 is left alone: it multiplexes, closing would cut other streams
            if (request.version() != HttpVersion.HTTP_2) {
                // also for a request that began before SIGTERM (a stream): its connection must not go back
                // to the balancer's keep-alive pool, where a next request would meet the 503 below
                ctx.addEndHandler(ended -> {
                    if (shuttingDown) {
                        request.connection().close();
                    }
                });
                // Quarkus' GracefulShutdownFilter closes too, but for HTTP/1.1 only and only with
                // quarkus.shutdown.timeout set
                if (shuttingDown) {
                    ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                }
            }
            if (refusing() && !ctx.normalizedPath().startsWith("/q/")) {
                ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader("Retry-After", "1").end(refusal);
                return;
            }
            ctx.next();
        });
    }
}
