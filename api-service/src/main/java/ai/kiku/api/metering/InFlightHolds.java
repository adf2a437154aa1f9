package ai.kiku.api.metering;

import ai.kiku.common.lifecycle.ShutdownStarted;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The holds this instance owns, so that shutting down settles or releases every one before the
 * stores close. Quarkus' graceful shutdown waits {@code kiku.shutdown.timeout} for the HTTP requests
 * in flight, then closes the server and the Redis connections. A call still running shortly before
 * that (the timeout was set below {@code kiku.api.max-stream-duration}, or its client left while
 * the upstream answers) is cut here the way the maximum duration cuts it: charged its reported
 * usage, else its reservation. On the shutdown event the settles and releases already sent are
 * awaited. A hold left behind by a killed process still expires after {@code kiku.money.hold-ttl}.
 */
@ApplicationScoped
public class InFlightHolds {

    private static final Logger LOG = Logger.getLogger(InFlightHolds.class);
    static final Duration SETTLE_WAIT = Duration.ofSeconds(10);
    /** How long before the end of the shutdown timeout the calls still running are cut. */
    static final Duration CUT_MARGIN = Duration.ofSeconds(5);

    private final Set<HoldKeeper> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger moneyCalls = new AtomicInteger();
    private final AtomicInteger handingOver = new AtomicInteger();
    private final Vertx vertx;
    private final Duration cutAfter;

    public InFlightHolds(Vertx vertx,
                         @ConfigProperty(name = "kiku.shutdown.drain-delay", defaultValue = "0s") Duration drain,
                         @ConfigProperty(name = "kiku.shutdown.timeout", defaultValue = "10m15s") Duration timeout) {
        this.vertx = vertx;
        Duration beforeEnd = timeout.minus(CUT_MARGIN);
        this.cutAfter = drain.plus(beforeEnd.compareTo(timeout.dividedBy(2)) > 0 ? beforeEnd : timeout.dividedBy(2));
    }

    void started(HoldKeeper keeper) {
        running.add(keeper);
    }

    /** The call ended: its settle or release follows at once. */
    void finished(HoldKeeper keeper) {
        handingOver.incrementAndGet();
        running.remove(keeper);
    }

    /** A settle or release of a call's hold, counted until Redis answered it. */
    <T> Uni<T> tracked(Supplier<Uni<T>> moneyCall) {
        return Uni.createFrom().deferred(() -> {
            moneyCalls.incrementAndGet();
            handingOver.updateAndGet(n -> Math.max(0, n - 1));
            return moneyCall.get();
        }).onTermination().invoke(moneyCalls::decrementAndGet);
    }

    /** The shutdown began: cut what still runs shortly before Quarkus stops waiting for it. */
    void draining(@Observes ShutdownStarted event) {
        vertx.setTimer(Math.max(1, cutAfter.toMillis()), id -> cutAll());
    }

    /** Holds not yet settled or released: calls running, ended but not yet settling, settling. */
    int open() {
        return running.size() + handingOver.get() + moneyCalls.get();
    }

    private void cutAll() {
        List<HoldKeeper> live = running.stream().filter(keeper -> !keeper.finished()).toList();
        if (!live.isEmpty()) {
            LOG.warnf("shutdown: cutting %d metered calls still running; each is charged as at the maximum duration",
                    live.size());
            live.forEach(HoldKeeper::cutNow);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        cutAll();
        long deadline = System.nanoTime() + SETTLE_WAIT.toNanos();
        while (open() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (open() > 0) {
            LOG.errorf("shutdown: %d holds still open after %s; they expire after kiku.money.hold-ttl", open(), SETTLE_WAIT);
        } else {
            LOG.info("shutdown: every hold of this instance is settled or released");
        }
    }
}
