package ai.kiku.common.stream;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Stopping a loop waits for its round, but never longer than the shutdown has left. */
class BackgroundLoopTest {

    /** A loop whose one round takes {@code roundMillis}. */
    private static final class SlowLoop extends BackgroundLoop {

        private final long roundMillis;
        private final CountDownLatch inRound = new CountDownLatch(1);
        private final AtomicBoolean roundEnded = new AtomicBoolean();

        SlowLoop(long roundMillis) {
            super("slow-loop");
            this.roundMillis = roundMillis;
        }

        @Override
        protected boolean round() throws Exception {
            inRound.countDown();
            Thread.sleep(roundMillis);
            roundEnded.set(true);
            return false;
        }

        @Override
        protected Duration idleBackoff() {
            return Duration.ofSeconds(10);
        }

        @Override
        protected Duration maxErrorBackoff() {
            return Duration.ofSeconds(10);
        }
    }

    @Test
    void shouldStopWaitingForARoundWhenTheShutdownBudgetIsSpent() throws Exception {
        SlowLoop loop = new SlowLoop(5_000);
        loop.start();
        assertThat(loop.inRound.await(5, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        loop.stop(Duration.ofMillis(300));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_000));
        assertThat(loop.isRunning()).isFalse();
        assertThat(loop.roundEnded).as("the round is left to end on its own").isFalse();
    }

    @Test
    void shouldWaitForTheRoundThatRunsWithinTheBudget() throws Exception {
        SlowLoop loop = new SlowLoop(300);
        loop.start();
        assertThat(loop.inRound.await(5, TimeUnit.SECONDS)).isTrue();

        loop.stop(Duration.ofSeconds(10));

        assertThat(loop.roundEnded).as("stop returned after the round").isTrue();
    }
}
