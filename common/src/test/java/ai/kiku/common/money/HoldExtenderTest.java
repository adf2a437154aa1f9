package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** extend.lua: an open hold's deadline moves forward on Redis' clock; closed holds stay closed. */
class HoldExtenderTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static MoneyFixture money;
    private static HoldExtender extender;

    @BeforeAll
    static void start() {
        money = new MoneyFixture();
        extender = new HoldExtender(money.redis);
    }

    @AfterAll
    static void stop() {
        money.close();
    }

    private long fundedAccount() {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        money.publishKey(account, 1, 1_000_000, "active");
        money.core.credit(account, "seed", 100_000).await().atMost(WAIT);
        return account;
    }

    private long deadline(long account, String hold) {
        return (long) Double.parseDouble(money.send("ZSCORE", KeySchema.holdExpiries(account), hold).toString());
    }

    @Test
    void shouldKeepAnExtendedHoldOpenPastItsOriginalDeadline() {
        long account = fundedAccount();
        money.core.reserve(account, 1, "slow-stream", 5_000).await().atMost(WAIT);
        long original = deadline(account, "slow-stream");

        assertThat(extender.extend(account, "slow-stream", Duration.ofHours(1)).await().atMost(WAIT)).isTrue();

        long redisNow = System.currentTimeMillis();
        assertThat(deadline(account, "slow-stream")).isGreaterThan(original)
                .isBetween(redisNow + Duration.ofMinutes(59).toMillis(), redisNow + Duration.ofMinutes(61).toMillis());
        // a balance read 20 minutes later (past the reserve's 15 min TTL) still finds the money held
        money.nowMillis.addAndGet(Duration.ofMinutes(20).toMillis());
        try {
            assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isEqualTo(5_000);
        } finally {
            money.nowMillis.addAndGet(-Duration.ofMinutes(20).toMillis());
        }
    }

    @Test
    void shouldNeverPullADeadlineIn() {
        long account = fundedAccount();
        money.core.reserve(account, 1, "long-hold", 5_000).await().atMost(WAIT);
        long original = deadline(account, "long-hold");

        assertThat(extender.extend(account, "long-hold", Duration.ofSeconds(1)).await().atMost(WAIT)).isTrue();

        assertThat(deadline(account, "long-hold")).isEqualTo(original);
    }

    @Test
    void shouldLeaveSettledReleasedAndUnknownHoldsAlone() {
        long account = fundedAccount();
        money.core.reserve(account, 1, "settled", 5_000).await().atMost(WAIT);
        money.core.settle(account, "settled", 1_000, new Usage(1, "llm-proxy", "m", 1, 1)).await().atMost(WAIT);
        money.core.reserve(account, 1, "released", 5_000).await().atMost(WAIT);
        money.core.release(account, "released").await().atMost(WAIT);
        long settledDeadline = deadline(account, "settled");

        assertThat(extender.extend(account, "settled", Duration.ofHours(48)).await().atMost(WAIT)).isFalse();
        assertThat(extender.extend(account, "released", Duration.ofHours(48)).await().atMost(WAIT)).isFalse();
        assertThat(extender.extend(account, "never-reserved", Duration.ofHours(48)).await().atMost(WAIT)).isFalse();

        assertThat(deadline(account, "settled")).isEqualTo(settledDeadline);
        assertThat(money.send("ZSCORE", KeySchema.holdExpiries(account), "never-reserved")).isNull();
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
    }
}
