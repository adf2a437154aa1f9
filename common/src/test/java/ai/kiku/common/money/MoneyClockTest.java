package ai.kiku.common.money;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Hold expiry runs on Redis' own clock: a caller's clock, however wrong, expires nobody's holds. */
class MoneyClockTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static MoneyFixture money;
    private static MoneyFixture shortHolds;

    @BeforeAll
    static void start() {
        money = new MoneyFixture();
        shortHolds = new MoneyFixture(Duration.ofMillis(300));
    }

    @AfterAll
    static void stop() {
        money.close();
        shortHolds.close();
    }

    private static long fundedAccount(MoneyFixture fixture, long micros) {
        long account = MoneyFixture.newAccountId();
        fixture.openAccount(account, 0);
        fixture.publishKey(account, 1, 600, "active");
        fixture.core.credit(account, "seed", micros).await().atMost(WAIT);
        return account;
    }

    private static Usage usage() {
        return new Usage(1, "llm-proxy", "local-echo", 3, 2);
    }

    @Test
    void shouldNotLetAnInstanceWhoseClockRunsTwentyMinutesAheadExpireOpenHolds() {
        long account = fundedAccount(money, 3_000);
        for (int i = 0; i < 3; i++) {
            assertThat(money.core.reserve(account, 1, "open-" + i, 1_000).await().atMost(WAIT).reserved()).isTrue();
        }

        money.nowMillis.addAndGet(Duration.ofMinutes(20).toMillis());
        try {
            BalanceView seenByTheSkewedInstance = money.core.peek(account, 1).await().atMost(WAIT);
            assertThat(seenByTheSkewedInstance.heldMicros()).isEqualTo(3_000);
            assertThat(money.core.reserve(account, 1, "more", 1).await().atMost(WAIT).outcome())
                    .isEqualTo(ReserveOutcome.INSUFFICIENT_FUNDS);
        } finally {
            money.nowMillis.addAndGet(-Duration.ofMinutes(20).toMillis());
        }
        for (int i = 0; i < 3; i++) {
            assertThat(money.core.settle(account, "open-" + i, 1_000, usage()).await().atMost(WAIT).late()).isFalse();
        }
        assertThat(money.balance(account)).isZero();
    }

    @Test
    void shouldReturnAnExpiredHoldToSpendableYetStillBookItsLateSettle() throws InterruptedException {
        long account = fundedAccount(shortHolds, 1_000);
        assertThat(shortHolds.core.reserve(account, 1, "slow", 1_000).await().atMost(WAIT).reserved()).isTrue();
        assertThat(shortHolds.core.reserve(account, 1, "blocked", 1_000).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.INSUFFICIENT_FUNDS);

        Thread.sleep(600);
        assertThat(shortHolds.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
        assertThat(shortHolds.core.reserve(account, 1, "fresh", 1_000).await().atMost(WAIT).reserved()).isTrue();
        shortHolds.core.settle(account, "fresh", 1_000, usage()).await().atMost(WAIT);
        SettleResult late = shortHolds.core.settle(account, "slow", 1_000, usage()).await().atMost(WAIT);

        assertThat(late.late()).isTrue();
        assertThat(late.chargedMicros()).isEqualTo(1_000);
        assertThat(shortHolds.balance(account)).isEqualTo(-1_000);
        assertThat(shortHolds.counted("kiku.money.late.settles")).isEqualTo(1L);
        assertThat(shortHolds.logOf(account)).filteredOn(UsageLogEntry::isUsage)
                .extracting(UsageLogEntry::late).containsExactlyInAnyOrder(false, true);
    }
}
