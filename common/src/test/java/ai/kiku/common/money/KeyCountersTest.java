package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import io.vertx.mutiny.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key's spend counters move with its holds in every script that opens, closes or sweeps one, and holds
 * written before holds named their key (rolling upgrade) still settle, release and expire.
 */
class KeyCountersTest extends MoneyTestBase {

    private static MoneyFixture shortHolds;

    @BeforeAll
    static void openShortHolds() {
        shortHolds = new MoneyFixture(Duration.ofMillis(300));
    }

    @AfterAll
    static void closeShortHolds() {
        shortHolds.close();
    }

    @Test
    void shouldMoveTheKeysHeldAndSpentWithReserveSettleAndRelease() {
        long account = fundedAccount(100_000, 600);
        money.core.reserve(account, 1, "a", 5_000).await().atMost(WAIT);
        money.core.reserve(account, 1, "b", 7_000).await().atMost(WAIT);
        assertThat(counter(money, account, "h:1")).isEqualTo("12000");
        assertThat(money.send("HGET", KeySchema.holds(account), "a").toString()).isEqualTo("5000:1:o");

        money.core.settle(account, "a", 4_000, usage()).await().atMost(WAIT);
        money.core.release(account, "b").await().atMost(WAIT);

        assertThat(counter(money, account, "h:1")).isEqualTo("0");
        assertThat(counter(money, account, "s:1")).isEqualTo("4000");
        assertThat(counter(money, account, "m:1")).isEqualTo("4000");
        assertThat(counter(money, account, "mw:1"))
                .isEqualTo(Integer.toString(KeySpend.monthIndex(YearMonth.now(ZoneOffset.UTC))));
        assertThat(money.send("HGET", KeySchema.holds(account), "a").toString()).as("closed holds drop the key")
                .isEqualTo("4000:s");
    }

    @Test
    void shouldSettleAndReleaseHoldsWrittenBeforeHoldsNamedTheirKey() {
        long account = fundedAccount(100_000, 600);
        long far = System.currentTimeMillis() + 600_000;
        for (String hold : new String[] {"old-settled", "old-released"}) {
            money.send("HSET", KeySchema.holds(account), hold, "3000:o");
            money.send("HINCRBY", KeySchema.account(account), "held", "3000");
            money.send("ZADD", KeySchema.holdExpiries(account), Long.toString(far), hold);
        }

        SettleResult settled = money.core.settle(account, "old-settled", 2_500, usage()).await().atMost(WAIT);
        assertThat(money.core.release(account, "old-released").await().atMost(WAIT)).isTrue();

        assertThat(settled.late()).isFalse();
        assertThat(settled.heldMicros()).isEqualTo(3_000);
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
        assertThat(money.balance(account)).isEqualTo(97_500);
        assertThat(counter(money, account, "h:1")).as("the key never counted an old hold").isNull();
        assertThat(counter(money, account, "s:1")).isEqualTo("2500");
    }

    @Test
    void shouldGiveAnExpiredHoldBackToItsKey() throws InterruptedException {
        long account = MoneyFixture.newAccountId();
        shortHolds.openAccount(account, 0);
        shortHolds.publishKey(account, 1, 600, "active");
        shortHolds.core.credit(account, "seed", 10_000).await().atMost(WAIT);
        assertThat(shortHolds.core.reserve(account, 1, "lost", 4_000).await().atMost(WAIT).reserved()).isTrue();
        assertThat(counter(shortHolds, account, "h:1")).isEqualTo("4000");

        Thread.sleep(600);
        assertThat(shortHolds.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
        assertThat(counter(shortHolds, account, "h:1")).isEqualTo("0");
    }

    @Test
    void shouldNameTheUtcMonthOfARedisTimeAsJavaDoes() throws Exception {
        String prelude;
        try (var in = KeyCountersTest.class.getResourceAsStream("/lua/prelude.lua")) {
            prelude = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String script = prelude + "\nreturn month_of(tonumber(ARGV[1]))";
        for (String at : new String[] {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "2000-03-01T00:00:00Z",
                "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00Z", "2100-02-28T12:00:00Z", "2100-03-01T00:00:00Z",
                "2400-02-29T00:00:00Z", "2024-07-31T23:59:59.999Z", "2024-08-01T00:00:00Z"}) {
            java.time.Instant t = java.time.Instant.parse(at);
            assertThat(money.send("EVAL", script, "0", Long.toString(t.toEpochMilli())).toInteger()).as(at)
                    .isEqualTo(KeySpend.monthIndex(KeySpend.monthOf(t)));
        }
    }

    private static String counter(MoneyFixture fixture, long account, String field) {
        Response r = fixture.send("HGET", KeySchema.keyCounters(account), field);
        return r == null ? null : r.toString();
    }
}
