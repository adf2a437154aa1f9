package ai.kiku.e2e;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls until an eventually-consistent fact holds (streams drain, events arrive), or fails. */
final class Await {

    private Await() {
    }

    static <T> T until(String what, Duration timeout, Supplier<T> probe, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = probe.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException | AssertionError e) {
                // not yet
            }
            ServiceProcess.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
    }
}
