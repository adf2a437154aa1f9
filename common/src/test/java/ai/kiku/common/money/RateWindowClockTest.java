package ai.kiku.common.money;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key's rate limit must hold once for all gateway instances even when their clocks disagree.
 * When reserve named the key's one-minute window from the caller's clock, two instances whose
 * clocks straddled a minute boundary counted the same calls in two different windows (this test
 * failed); reserve.lua now names it from Redis' TIME.
 */
class RateWindowClockTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static MoneyFixture instanceA;
    private static MoneyFixture instanceB;

    @BeforeAll
    static void start() {
        instanceA = new MoneyFixture();
        instanceB = new MoneyFixture();
    }

    @AfterAll
    static void stop() {
        instanceA.close();
        instanceB.close();
    }

    @Test
    void shouldNotGrantAKeyASecondMinutesWorthBecauseTwoInstancesClocksDifferByOneSecond() throws InterruptedException {
        // The window is Redis' real minute now: keep the whole test inside one.
        long leftInMinute = 60_000 - System.currentTimeMillis() % 60_000;
        if (leftInMinute < 3_000) {
            Thread.sleep(leftInMinute + 100);
        }
        long account = MoneyFixture.newAccountId();
        instanceA.openAccount(account, 0);
        // a key id of its own: a key's window is named by partition and key id, and other tests use key 1
        long key = account;
        instanceA.publishKey(account, key, 3, "active");
        instanceA.core.credit(account, "seed", 1_000_000).await().atMost(WAIT);
        // Half a second before a minute boundary on A; B's clock runs one second ahead (NTP-sized skew).
        long beforeBoundary = (System.currentTimeMillis() / 60_000 + 1) * 60_000 - 500;
        instanceA.nowMillis.set(beforeBoundary);
        instanceB.nowMillis.set(beforeBoundary + 1_000);

        for (int i = 0; i < 3; i++) {
            assertThat(instanceA.core.reserve(account, key, "a-" + i, 1).await().atMost(WAIT).outcome())
                    .isEqualTo(ReserveOutcome.RESERVED);
        }
        assertThat(instanceA.core.reserve(account, key, "a-3", 1).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.RATE_LIMITED);
        // The same key, the same real instant, another instance: the limit of 3 is already used up.
        assertThat(instanceB.core.reserve(account, key, "b-0", 1).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.RATE_LIMITED);
    }
}
