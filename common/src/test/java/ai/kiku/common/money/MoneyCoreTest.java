package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.devstack.RedisCluster;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The money invariants, proven against a real Redis Cluster with exact numbers (and by subclasses against a
 * standalone server and a Sentinel primary, the scripts unchanged).
 */
class MoneyCoreTest extends MoneyTestBase {

    @Test
    void shouldLetExactlyOneHundredOf500ConcurrentReservationsThroughOnTenCents() {
        long account = fundedAccount(100_000, 1_000_000);

        List<Uni<ReserveResult>> attempts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            attempts.add(money.core.reserve(account, 1, "req-" + i, 1_000));
        }
        List<ReserveResult> results = Uni.join().all(attempts).andCollectFailures().await().atMost(WAIT);

        assertThat(results).filteredOn(ReserveResult::reserved).hasSize(100);
        assertThat(results).filteredOn(r -> r.outcome() == ReserveOutcome.INSUFFICIENT_FUNDS).hasSize(400);
        assertThat(results).allSatisfy(r -> assertThat(r.spendableMicros()).isGreaterThanOrEqualTo(0));

        List<Uni<SettleResult>> settles = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (results.get(i).reserved()) {
                settles.add(money.core.settle(account, "req-" + i, 1_000, usage()));
            }
        }
        Uni.join().all(settles).andCollectFailures().await().atMost(WAIT);

        assertThat(money.balance(account)).isZero();
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
        List<UsageLogEntry> usage = money.logOf(account).stream().filter(UsageLogEntry::isUsage).toList();
        assertThat(usage).hasSize(100);
        assertThat(usage).extracting(UsageLogEntry::costMicros).containsOnly(1_000L);
        assertThat(usage).extracting(UsageLogEntry::requestId).doesNotHaveDuplicates();
    }

    @Test
    void shouldHoldAllThatIsSpendableAboveTheLeastAmountAndNeverMoreThanTheBalanceConcurrently() {
        long account = fundedAccount(10_500, 1_000_000);

        List<Uni<ReserveResult>> attempts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            attempts.add(money.core.reserve(account, 1, "flex-" + i, 3_000, 1_000));
        }
        List<ReserveResult> results = Uni.join().all(attempts).andCollectFailures().await().atMost(WAIT);

        // three full holds, then the 1,500 left whole, then nothing: 10,500 held, not a micro more
        List<ReserveResult> reserved = results.stream().filter(ReserveResult::reserved).toList();
        assertThat(reserved).extracting(ReserveResult::reservedMicros).containsExactlyInAnyOrder(3_000L, 3_000L, 3_000L, 1_500L);
        assertThat(results).filteredOn(r -> r.outcome() == ReserveOutcome.INSUFFICIENT_FUNDS).hasSize(46);
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isEqualTo(10_500);
        assertThat(money.core.reserve(account, 1, "fixed", 1, 1).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.INSUFFICIENT_FUNDS);
    }

    @Test
    void shouldBookTheSameCreditOnceUnderTwentyConcurrentApplications() {
        long account = fundedAccount(0, 60);
        String ref = "txn_" + UUID.randomUUID();

        List<Uni<CreditResult>> attempts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            attempts.add(money.core.credit(account, ref, 5_000_000));
        }
        List<CreditResult> results = Uni.join().all(attempts).andCollectFailures().await().atMost(WAIT);

        assertThat(results).filteredOn(r -> r.outcome() == CreditOutcome.APPLIED).hasSize(1);
        assertThat(results).filteredOn(r -> r.outcome() == CreditOutcome.DUPLICATE).hasSize(19);
        assertThat(money.balance(account)).isEqualTo(5_000_000);
    }

    @Test
    void shouldRunEveryOperationForAccountsLivingOnDifferentNodes() {
        long first = fundedAccount(10_000, 600);
        long second = first + 1; // another partition; in a cluster, walk on to one another master serves
        while (servers instanceof RedisCluster && masterOf(second) == masterOf(first)) {
            second++;
        }
        money.openAccount(second, 0);
        money.publishKey(second, 1, 600, "active");
        money.core.credit(second, "seed", 10_000).await().atMost(WAIT);

        for (long account : new long[] {first, second}) {
            assertThat(money.core.reserve(account, 1, "a", 4_000).await().atMost(WAIT).reserved()).isTrue();
            assertThat(money.core.reserve(account, 1, "b", 4_000).await().atMost(WAIT).reserved()).isTrue();
            assertThat(money.core.settle(account, "a", 3_000, usage()).await().atMost(WAIT).chargedMicros())
                    .isEqualTo(3_000);
            assertThat(money.core.release(account, "b").await().atMost(WAIT)).isTrue();
            assertThat(money.core.credit(account, "bonus", 500).await().atMost(WAIT).outcome())
                    .isEqualTo(CreditOutcome.APPLIED);
            BalanceView view = money.core.peek(account, 1).await().atMost(WAIT);
            assertThat(view.balanceMicros()).isEqualTo(7_500);
            assertThat(view.heldMicros()).isZero();
            assertThat(new PendingUsageReader(money.redis).read(account).await().atMost(WAIT).unconsumedCharges())
                    .containsExactly(Map.entry("a", 3_000L));
        }
        if (servers instanceof RedisCluster) {
            assertThat(masterOf(first)).isNotEqualTo(masterOf(second));
        }
    }

    @Test
    void shouldChargeTheRealCostBeyondTheHoldCountTheOverageAndIgnoreASecondSettle() {
        long account = fundedAccount(10_000, 600);
        money.core.reserve(account, 1, "r", 2_000).await().atMost(WAIT);
        long overageBefore = money.counted("kiku.money.overage.micros");

        SettleResult first = money.core.settle(account, "r", 5_000, usage()).await().atMost(WAIT);
        SettleResult second = money.core.settle(account, "r", 5_000, usage()).await().atMost(WAIT);

        assertThat(first.chargedMicros()).isEqualTo(5_000);
        assertThat(first.overMicros()).isEqualTo(3_000);
        assertThat(first.duplicate()).isFalse();
        assertThat(second.duplicate()).isTrue();
        assertThat(second.chargedMicros()).isEqualTo(5_000);
        assertThat(second.overMicros()).isZero();
        assertThat(money.balance(account)).isEqualTo(5_000);
        assertThat(money.counted("kiku.money.overage.micros") - overageBefore).isEqualTo(3_000L);
        assertThat(money.logOf(account)).filteredOn(UsageLogEntry::isUsage).hasSize(1);
        assertThat(money.send("XREVRANGE", KeySchema.usageLog(account), "+", "-", "COUNT", "1").get(0).get(1)
                .toString()).contains("over, 3000");
    }

    @Test
    void shouldLetAnOverageTakeTheBalanceBelowZeroByAtMostItselfAndThenReserveNothing() {
        long account = fundedAccount(3_000, 600);
        money.core.reserve(account, 1, "r", 2_000).await().atMost(WAIT);

        SettleResult settled = money.core.settle(account, "r", 5_000, usage()).await().atMost(WAIT);

        assertThat(settled.balanceMicros()).isEqualTo(-2_000);
        assertThat(settled.overMicros()).isEqualTo(3_000);
        assertThat(money.core.reserve(account, 1, "zero", 0).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.INSUFFICIENT_FUNDS);
        money.core.credit(account, "topup", 2_500).await().atMost(WAIT);
        assertThat(money.core.reserve(account, 1, "after-topup", 500).await().atMost(WAIT).reserved()).isTrue();
    }

    @Test
    void shouldReleaseWithoutChargeAndOnlyOnce() {
        long account = fundedAccount(5_000, 600);
        money.core.reserve(account, 1, "r", 5_000).await().atMost(WAIT);

        assertThat(money.core.release(account, "r").await().atMost(WAIT)).isTrue();
        assertThat(money.core.release(account, "r").await().atMost(WAIT)).isFalse();
        assertThat(money.core.settle(account, "r", 5_000, usage()).await().atMost(WAIT).duplicate()).isTrue();
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).spendableMicros()).isEqualTo(5_000);
    }

    @Test
    void shouldRefuseTheRequestBeyondTheKeysRateLimit() {
        long account = fundedAccount(1_000_000, 3);
        List<ReserveOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            outcomes.add(money.core.reserve(account, 1, "r" + i, 1).await().atMost(WAIT).outcome());
        }
        assertThat(outcomes).containsExactly(ReserveOutcome.RESERVED, ReserveOutcome.RESERVED,
                ReserveOutcome.RESERVED, ReserveOutcome.RATE_LIMITED);
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isEqualTo(3);
    }

    @Test
    void shouldRefuseRevokedKeysAndSuspendedAccounts() {
        long account = fundedAccount(1_000_000, 600);
        money.publishKey(account, 2, 600, "revoked");
        assertThat(money.core.reserve(account, 2, "r", 1).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.KEY_INACTIVE);
        money.send("HSET", KeySchema.account(account), "status", "suspended");
        assertThat(money.core.reserve(account, 1, "r", 1).await().atMost(WAIT).outcome())
                .isEqualTo(ReserveOutcome.ACCOUNT_INACTIVE);
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).isZero();
    }

    @Test
    void shouldEmitOneLowBalanceEventPerCrossingAndRearmOnTopUp() {
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 1_000_000);
        money.publishKey(account, 1, 600, "active");
        money.core.credit(account, "seed", 1_002_000).await().atMost(WAIT);

        for (int i = 0; i < 4; i++) {
            money.core.reserve(account, 1, "r" + i, 1_000).await().atMost(WAIT);
            money.core.settle(account, "r" + i, 1_000, usage()).await().atMost(WAIT);
        }
        assertThat(money.logOf(account)).filteredOn(UsageLogEntry::isLowBalance).hasSize(1)
                .first().satisfies(e -> assertThat(e.balanceMicros()).isEqualTo(999_000));

        money.core.credit(account, "topup", 5_000_000).await().atMost(WAIT);
        money.core.credit(account, "chargeback", -5_500_000).await().atMost(WAIT);
        assertThat(money.logOf(account)).filteredOn(UsageLogEntry::isLowBalance).hasSize(2);
    }

    private static int masterOf(long account) {
        return RedisCluster.shared().masterPortForSlot(RedisCluster.slotOf(KeySchema.account(account)));
    }
}
