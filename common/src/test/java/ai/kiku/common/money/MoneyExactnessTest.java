package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Amounts at the edges of their range go through every script exactly: Lua's numbers are doubles
 * and Redis formats them with "%.14g", so a careless script stores 1e14 as "1e+14".
 */
class MoneyExactnessTest extends MoneyTestBase {

    private static long openAccount() {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        money.publishKey(account, 1, 600, "active");
        return account;
    }


    @Test
    void shouldRoundTripTheLargestAmountThroughReserveSettleReleaseCreditPeekAndRebuild() {
        long max = Micros.MAX_AMOUNT;
        long account = openAccount();
        assertThat(money.core.credit(account, "big-1", max).await().atMost(WAIT).balanceMicros()).isEqualTo(max);
        assertThat(money.core.credit(account, "big-2", max - 1).await().atMost(WAIT).balanceMicros())
                .isEqualTo(2 * max - 1);

        assertThat(money.core.reserve(account, 1, "held", max).await().atMost(WAIT).heldMicros()).isEqualTo(max);
        assertThat(money.core.reserve(account, 1, "released", max - 3).await().atMost(WAIT).reserved()).isTrue();
        assertThat(money.core.release(account, "released").await().atMost(WAIT)).isTrue();
        SettleResult settled = money.core.settle(account, "held", max - 7, usage()).await().atMost(WAIT);

        assertThat(settled.chargedMicros()).isEqualTo(max - 7);
        assertThat(settled.balanceMicros()).isEqualTo(max + 6);
        assertThat(money.send("HGET", KeySchema.holds(account), "held").toString()).isEqualTo((max - 7) + ":s");
        assertThat(money.send("HGET", KeySchema.holds(account), "released").toString()).isEqualTo((max - 3) + ":r");
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).balanceMicros()).isEqualTo(max + 6);
        RebuildResult rebuilt = money.core.rebuild(account, "active", 0, max - 7,
                Map.of("big-1", max, "big-2", max - 1)).await().atMost(WAIT);
        assertThat(rebuilt.balanceMicros()).isEqualTo(max + 6);
        assertThat(money.balance(account)).isEqualTo(max + 6);
    }

    @Test
    void shouldKeepEveryMicroOfRepeatedLargeCreditsAndRefuseTheOneBeyondTheBalanceLimit() {
        long account = openAccount();
        long odd = 900_000_000_000_001L;   // %.14g would print it as 9e+14 and lose the 1
        long expected = 0;
        int applied = 0;
        for (int i = 0; i < 10; i++) {
            CreditResult r = money.core.credit(account, "adj-" + i, odd).await().atMost(WAIT);
            if (expected + odd > Micros.MAX_BALANCE) {
                assertThat(r.outcome()).isEqualTo(CreditOutcome.OUT_OF_RANGE);
                continue;
            }
            expected += odd;
            applied++;
            assertThat(r.outcome()).isEqualTo(CreditOutcome.APPLIED);
            assertThat(r.balanceMicros()).isEqualTo(expected);
        }
        assertThat(applied).isEqualTo(4);
        assertThat(money.balance(account)).isEqualTo(4 * odd);
        assertThat(money.send("HGET", KeySchema.account(account), "credited").toString()).isEqualTo(Long.toString(4 * odd));
    }

    @Test
    void shouldBoundBalancesWhereLuaDoublesAreStillExact() {
        assertThat(Micros.MAX_BALANCE + Micros.MAX_AMOUNT).isLessThan(1L << 53);
        String prelude = new String(readResource("lua/prelude.lua"), StandardCharsets.UTF_8);
        assertThat(prelude).contains("local MAX_BALANCE = " + Micros.MAX_BALANCE);
    }

    private static byte[] readResource(String path) {
        try (var in = MoneyExactnessTest.class.getClassLoader().getResourceAsStream(path)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
