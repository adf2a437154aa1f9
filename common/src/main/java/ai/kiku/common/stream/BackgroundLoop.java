package ai.kiku.common.stream;

import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * A managed background worker on its own thread (so blocking waits never touch the event loop):
 * start/stop at will, backs off exponentially while its stores fail, stops cleanly between rounds, and
 * tells a liveness check whether it still goes round.
 */
public abstract class BackgroundLoop {

    private final Logger log;
    private final String name;
    private final Object signal = new Object();
    private volatile boolean running;
    private volatile long lastBeatMillis;
    private Thread thread;

    protected BackgroundLoop(String name) {
        this.name = name;
        this.log = Logger.getLogger(getClass());
    }

    /** One round of work; true when it did something (then the next round starts at once). */
    protected abstract boolean round() throws Exception;

    protected abstract Duration idleBackoff();

    protected abstract Duration maxErrorBackoff();

    /** Called once per failed round. */
    protected void failed(Throwable e, int streak) {
        if (streak == 1) {
            log.warnf("%s: round failed (%s); retrying with backoff", name, e.toString());
        } else {
            log.debugf("%s: round failed again (%d in a row): %s", name, streak, e);
        }
    }

    protected void recovered(int streak) {
        log.infof("%s: recovered after %d failed rounds", name, streak);
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        beat();
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the current round (waits for it, up to a minute). */
    public void stop() {
        stop(Duration.ofMinutes(1));
    }

    /**
     * Stops after the current round, waiting for it at most {@code within} (on shutdown: what is left of
     * {@code kiku.shutdown.timeout}); a round still running then is left to end on its own.
     */
    public synchronized void stop(Duration within) {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(Math.max(1, within.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warnf("%s: its round did not end within %d ms of stopping; not waiting for it any longer",
                        name, within.toMillis());
            }
            thread = null;
        }
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * For a liveness check: false only while the loop runs yet has not gone round (nor reported progress
     * through {@link #beat()}) for longer than {@code stall}, i.e. it is wedged.
     */
    public boolean live(Duration stall) {
        return !running || System.currentTimeMillis() - lastBeatMillis <= stall.toMillis();
    }

    /** Marks progress within a long round (each round start marks it too). */
    protected void beat() {
        lastBeatMillis = System.currentTimeMillis();
    }

    protected boolean stopping() {
        return !running;
    }

    protected void pause(Duration d) {
        synchronized (signal) {
            if (running && !d.isZero()) {
                try {
                    signal.wait(Math.max(1, d.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    private void run() {
        int streak = 0;
        Duration backoff = firstErrorBackoff();
        while (running) {
            beat();
            try {
                boolean worked = round();
                if (streak > 0) {
                    recovered(streak);
                }
                streak = 0;
                backoff = firstErrorBackoff();
                if (!worked) {
                    pause(idleBackoff());
                }
            } catch (Throwable e) {
                streak++;
                failed(e, streak);
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxErrorBackoff()) > 0 ? maxErrorBackoff()
                        : backoff.multipliedBy(2);
            }
        }
    }

    /** The idle backoff, or 250 ms for a loop that never rests when idle (one whose reads block instead). */
    private Duration firstErrorBackoff() {
        Duration idle = idleBackoff();
        return idle.isZero() || idle.isNegative() ? Duration.ofMillis(250) : idle;
    }
}
