package ai.kiku.api.metering;

import ai.kiku.common.money.HoldExtender;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a metered call's hold open while the call is alive and cuts the call at
 * {@code kiku.api.max-stream-duration}: a slow stream never frees its money before it settles, and
 * no call holds money forever. Every hold-TTL/3 the hold's deadline is moved to Redis' now + TTL,
 * while the call waits for its upstream's answer or, once streaming, when bytes arrived since the
 * last extension (a stalled stream is cut by the provider's timeout anyway). One timer per call.
 * {@link #finish()} decides, once, whether the call ends normally or by the cut.
 */
final class HoldKeeper {

    private static final Logger LOG = Logger.getLogger(HoldKeeper.class);

    private final Vertx vertx;
    private final HoldExtender extender;
    private final InFlightHolds holds;
    private final long accountId;
    private final String holdId;
    private final Duration ttl;
    private final long periodMillis;
    private final long maxMillis;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean streaming;
    private volatile boolean progressed;
    private volatile Runnable cut;
    private volatile long timer = -1;
    private volatile Context context;
    private long startedNanos;

    HoldKeeper(Vertx vertx, HoldExtender extender, InFlightHolds holds, long accountId, String holdId, Duration ttl,
               Duration max) {
        this.vertx = vertx;
        this.extender = extender;
        this.holds = holds;
        this.accountId = accountId;
        this.holdId = holdId;
        this.ttl = ttl;
        this.periodMillis = Math.max(50, ttl.toMillis() / 3);
        this.maxMillis = Math.max(1, max.toMillis());
    }

    /** Starts keeping the hold; {@code cut} runs if the call is still going at the maximum duration. */
    void start(Runnable cut) {
        this.cut = cut;
        this.startedNanos = System.nanoTime();
        this.context = Vertx.currentContext();
        holds.started(this);
        schedule();
    }

    /** What the cut does from now on (the stream relay that took over the call). */
    void cutBy(Runnable cut) {
        this.cut = cut;
    }

    /** The answer is streaming: from now on the hold is extended only while bytes flow. */
    void streaming() {
        streaming = true;
        progressed = true;
    }

    /** Bytes arrived. */
    void progress() {
        progressed = true;
    }

    /** Ends the keeping; true for the first caller only (the normal end or the cut, never both). */
    boolean finish() {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        holds.finished(this);
        long id = timer;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
        return true;
    }

    /** Cuts the call now, on its own context, as if it had reached the maximum duration (shutdown). */
    void cutNow() {
        Runnable now = () -> {
            if (!done.get()) {
                cut.run();
            }
        };
        Context own = context;
        if (own != null) {
            own.runOnContext(v -> now.run());
        } else {
            now.run();
        }
    }

    /** Whether the call has ended (normally or by the cut). */
    boolean finished() {
        return done.get();
    }

    /** Milliseconds the call has run. */
    long elapsedMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    long maxMillis() {
        return maxMillis;
    }

    private void schedule() {
        long delay = Math.max(1, Math.min(periodMillis, maxMillis - elapsedMillis()));
        timer = vertx.setTimer(delay, id -> tick());
    }

    private void tick() {
        if (done.get()) {
            return;
        }
        if (elapsedMillis() >= maxMillis) {
            cut.run();
            return;
        }
        if (!streaming || progressed) {
            progressed = false;
            extender.extend(accountId, holdId, ttl).subscribe().with(
                    open -> {
                        LOG.debugf("request %s: hold extended by %s: %s", holdId, ttl, open);
                        if (!open && !done.get()) {
                            LOG.warnf("request %s: its hold is no longer open while the call runs", holdId);
                        }
                    },
                    failure -> LOG.warnf("request %s: hold extension failed (%s); retried in %d ms", holdId,
                            failure.toString(), periodMillis));
        }
        schedule();
    }
}
