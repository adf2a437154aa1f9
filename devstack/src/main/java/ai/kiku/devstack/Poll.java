package ai.kiku.devstack;

import java.time.Duration;
import java.util.function.Supplier;

/** Waiting for servers: polls a condition until it holds or a deadline passes. */
final class Poll {

    private Poll() {
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} until it holds; on timeout fails with {@code diagnostics}. */
    static void until(String what, Duration timeout, Check check, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                        + (last == null ? "" : " (last error: " + last + ")") + "\n" + diagnostics.get());
            }
            sleep(50);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
