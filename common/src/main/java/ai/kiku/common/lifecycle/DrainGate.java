package ai.kiku.common.lifecycle;

import ai.kiku.common.error.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Stops a shutting-down instance from taking new work once its drain delay is over. Quarkus turns
 * readiness DOWN and waits {@code kiku.shutdown.drain-delay} (quarkus.shutdown.delay), then waits for
 * the requests in flight, but it still serves requests that arrive meanwhile: a new metered stream
 * could then outlast the shutdown. From the end of the drain every request but {@code /q/*} (probes,
 * metrics) is answered 503 with Retry-After and Connection: close, so the client retries elsewhere.
 */
@Singleton
public class DrainGate {

    private static final Logger LOG = Logger.getLogger(DrainGate.class);

    private final long drainNanos;
    private final Buffer refusal;
    private volatile boolean shuttingDown;
    private volatile long refuseFromNanos;

    public DrainGate(@ConfigProperty(name = "kiku.shutdown.drain-delay", defaultValue = "0s") Duration drain,
                     ObjectMapper mapper) throws JsonProcessingException {
        this.drainNanos = drain.toNanos();
        this.refusal = Buffer.buffer(mapper.writeValueAsBytes(new Problem("https://kiku.ai/problems/shutting-down",
                "Service Unavailable", 503, "this instance is shutting down; retry, another instance answers")));
    }

    void draining(@Observes ShutdownDelayInitiatedEvent event) {
        refuseFromNanos = System.nanoTime() + drainNanos;
        shuttingDown = true;
        LOG.infof("shutting down: readiness DOWN, serving %d ms more, then refusing new requests", drainNanos / 1_000_000);
    }

    /** Whether new requests are refused now (the drain delay of a shutdown is over). */
    public boolean refusing() {
        return shuttingDown && System.nanoTime() - refuseFromNanos >= 0;
    }

    void mount(@Observes Router router) {
        router.routeWithRegex("^/(?!q/).*").order(Integer.MIN_VALUE).handler(ctx -> {
            if (!refusing()) {
                ctx.next();
                return;
            }
            ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    .putHeader("Retry-After", "1").putHeader(HttpHeaders.CONNECTION, "close").end(refusal);
        });
    }
}
