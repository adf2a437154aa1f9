package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PendingUsageReaderTest extends MoneyTestBase {

    @Test
    void shouldCollectOneAccountsChargesAcrossManySmallPages() {
        long account = MoneyFixture.newAccountId();
        long neighbour = account + KeySchema.PARTITIONS; // same partition stream
        for (long a : new long[] {account, neighbour}) {
            money.openAccount(a, 0);
            money.publishKey(a, 1, 10_000, "active");
            money.core.credit(a, "seed", 1_000_000).await().atMost(WAIT);
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            settle(neighbour, "n" + i, 5);
            settle(account, "a" + i, 100 + i);
            expected.put("a" + i, 100L + i);
        }
        Snapshot s = new PendingUsageReader(money.redis, 3).read(account).await().atMost(WAIT);

        assertThat(s.unconsumedCharges()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(s.balanceMicros()).isEqualTo(1_000_000 - expected.values().stream().mapToLong(Long::longValue).sum());
        assertThat(s.heldMicros()).isZero();
        assertThat(s.status()).isEqualTo("active");
    }

    @Test
    void shouldReadAnEmptyStreamAndOneEntryPages() {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        money.publishKey(account, 1, 10_000, "active");
        money.core.credit(account, "seed", 1_000).await().atMost(WAIT);
        settle(account, "before", 10);
        // An empty partition stream reads as no pending charges.
        long empty = MoneyFixture.newAccountId() + 1;
        money.openAccount(empty, 0);
        money.send("DEL", KeySchema.usageLog(empty));
        assertThat(new PendingUsageReader(money.redis).read(empty).await().atMost(WAIT).unconsumedCharges()).isEmpty();

        Snapshot s = new PendingUsageReader(money.redis, 1).read(account).await().atMost(WAIT);
        assertThat(s.unconsumedCharges()).containsEntry("before", 10L);
        assertThat(s.balanceMicros()).isEqualTo(990);
    }

    @Test
    void shouldCountDeadLetteredChargesTakenBeforeTheBalanceWasRead() {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        money.publishKey(account, 1, 10_000, "active");
        money.core.credit(account, "seed", 1_000).await().atMost(WAIT);
        settle(account, "kept", 10);
        String dead = KeySchema.usageLog(account) + PendingUsageReader.DEAD_SUFFIX;
        String a = Long.toString(account);
        money.send("XADD", dead, "*", "type", "usage", "acct", a, "req", "parked", "cost", "40",
                "dead_reason", "test", "dead_source_id", "1-0");
        money.send("XADD", dead, "*", "type", "usage", "acct", a, "req", "garbled", "cost", "x",
                "dead_reason", "test", "dead_source_id", "2-0");
        // charged after the balance was read: not part of that balance
        money.send("XADD", dead, "*", "type", "usage", "acct", a, "req", "later", "cost", "7",
                "dead_reason", "test", "dead_source_id", Long.MAX_VALUE + "-0");

        Snapshot s = new PendingUsageReader(money.redis, 2).read(account).await().atMost(WAIT);

        assertThat(s.unconsumedCharges()).containsOnly(Map.entry("kept", 10L), Map.entry("parked", 40L));
    }

    @Test
    void shouldOrderStreamIdsNumerically() {
        assertThat(PendingUsageReader.compareIds("10-0", "9-5")).isPositive();
        assertThat(PendingUsageReader.compareIds("9-10", "9-9")).isPositive();
        assertThat(PendingUsageReader.compareIds("9-1", "9-1")).isZero();
    }

    private static void settle(long account, String hold, long cost) {
        assertThat(money.core.reserve(account, 1, hold, cost).await().atMost(WAIT).reserved()).isTrue();
        money.core.settle(account, hold, cost, new Usage(1, "llm-proxy", "m", 1, 1)).await().atMost(WAIT);
    }
}
