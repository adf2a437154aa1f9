package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.vertx.mutiny.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations of {@link MoneySimulationTest} from real threads at once, so Redis decides the
 * interleaving: actors reserve, settle (overage included), release and credit (PostgreSQL first,
 * as billing does; replays included) while another thread rebuilds from stale ledger views and
 * one key is revoked mid-run. The seed fixes each actor's operations (replay with
 * {@code -Dkiku.vopr.seed=N}); the interleaving is the machine's. Afterwards: no reserve ever left
 * spendable below zero, a revoked key was refused from the moment its revoke returned, every
 * booked reference is applied once, every settle is in the usage stream once, Redis equals the
 * ledger after the final rebuild, and no hold is left open.
 */
class ConcurrentMoneySimulationTest extends MoneyTestBase {

    private static final int ACTORS = 4;
    private static final int STEPS = 400;
    private static final LuaScript PUBLISH_KEY = LuaScript.load("publish_key");

    @Test
    void shouldKeepEveryInvariantWhenActorsAndRebuildsRaceOnOneAccount() throws Exception {
        long seed = Long.getLong("kiku.vopr.seed", System.nanoTime());
        System.out.println("ConcurrentMoneySimulationTest seed=" + seed + " (replay: -Dkiku.vopr.seed=" + seed + ")");
        long account = MoneyFixture.newAccountId();
        money.openAccount(account, 0);
        for (long key = 1; key <= 2; key++) {
            publishKey(account, key, "active");
        }
        Map<String, Long> ledger = new ConcurrentHashMap<>();
        Map<String, Long> booked = new ConcurrentHashMap<>();
        AtomicLong charged = new AtomicLong();
        Map<String, Long> settled = new ConcurrentHashMap<>();
        AtomicBoolean revokeReturned = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        book(account, ledger, booked, "seed", 500_000);
        CyclicBarrier start = new CyclicBarrier(ACTORS + 2);
        CountDownLatch done = new CountDownLatch(ACTORS);

        List<Thread> threads = new ArrayList<>();
        for (int a = 0; a < ACTORS; a++) {
            Random random = new Random(seed + a);
            int actor = a;
            threads.add(started(() -> {
                try {
                    start.await();
                    List<String> open = new ArrayList<>();
                    for (int step = 0; step < STEPS; step++) {
                        int dice = random.nextInt(100);
                        if (dice < 40) {
                            String hold = "a" + actor + "-" + step;
                            long key = 1 + random.nextInt(2);
                            boolean revokedBefore = key == 2 && revokeReturned.get();
                            ReserveResult r = money.core.reserve(account, key, hold, 1 + random.nextInt(20_000))
                                    .await().atMost(WAIT);
                            if (revokedBefore) {
                                assertThat(r.outcome()).as("reserve after the revoke returned").isEqualTo(ReserveOutcome.KEY_INACTIVE);
                            }
                            if (r.reserved()) {
                                assertThat(r.balanceMicros() - r.heldMicros()).isGreaterThanOrEqualTo(0);
                                open.add(hold);
                            }
                        } else if (dice < 75 && !open.isEmpty()) {
                            settle(account, open.remove(random.nextInt(open.size())), random, charged, settled);
                        } else if (dice < 85 && !open.isEmpty()) {
                            money.core.release(account, open.remove(random.nextInt(open.size()))).await().atMost(WAIT);
                        } else if (dice < 95) {
                            book(account, ledger, booked, "pay-" + actor + "-" + step, 1 + random.nextInt(15_000));
                        } else if (!booked.isEmpty()) {
                            // Only a booking that has returned: one still in flight may rightly apply now.
                            List<String> returned = new ArrayList<>(booked.keySet());
                            String ref = returned.get(random.nextInt(returned.size()));
                            assertThat(money.core.credit(account, ref, booked.get(ref)).await().atMost(WAIT).outcome())
                                    .isEqualTo(CreditOutcome.DUPLICATE);
                        }
                    }
                    for (String hold : open) {
                        settle(account, hold, random, charged, settled);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    done.countDown();
                }
            }));
        }
        Random rebuilds = new Random(seed - 1);
        threads.add(started(() -> {
            try {
                start.await();
                while (running.get()) {
                    // Read "PostgreSQL" first: the ledger as booked so far, and usage recorded so far.
                    long floor = Math.max(0, charged.get() - rebuilds.nextInt(20_000));
                    Map<String, Long> view = new LinkedHashMap<>(ledger);
                    money.core.rebuild(account, "active", 0, Math.min(floor, charged.get()), view).await().atMost(WAIT);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        }));
        start.await();
        Thread.sleep(100);
        publishKey(account, 2, "revoked");
        revokeReturned.set(true);
        done.await();
        running.set(false);
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }
        assertThat(failures).as("seed " + seed).isEmpty();

        money.core.rebuild(account, "active", 0, charged.get(), ledger).await().atMost(WAIT);
        String why = "seed " + seed;
        long credits = ledger.values().stream().mapToLong(Long::longValue).sum();
        assertThat(money.balance(account)).as(why).isEqualTo(credits - charged.get());
        Response refs = money.send("HGETALL", KeySchema.refs(account));
        Map<String, Long> inRedis = new LinkedHashMap<>();
        for (String ref : refs.getKeys()) {
            inRedis.put(ref, refs.get(ref).toLong());
        }
        assertThat(inRedis).as(why).isEqualTo(ledger);
        Map<String, Long> inStream = new LinkedHashMap<>();
        for (UsageLogEntry e : money.logOf(account)) {
            if (e.isUsage()) {
                assertThat(inStream.put(e.requestId(), e.costMicros())).as("recorded once: " + e.requestId()).isNull();
            }
        }
        assertThat(inStream).as(why).isEqualTo(settled);
        assertThat(money.core.peek(account, 1).await().atMost(WAIT).heldMicros()).as(why).isZero();
        // every hold closed: no key still holds anything, and what was charged is the spend of key 1 (settle's usage key)
        for (long key = 1; key <= 2; key++) {
            Response keyHeld = money.send("HGET", KeySchema.keyCounters(account), "h:" + key);
            assertThat(keyHeld == null ? "0" : keyHeld.toString()).as(why + ", key " + key).isEqualTo("0");
        }
        assertThat(money.send("HGET", KeySchema.keyCounters(account), "s:1").toLong()).as(why).isEqualTo(charged.get());
        assertThat(money.send("HGET", KeySchema.apiKey(account, 2), "status").toString()).isEqualTo("revoked");
    }

    private static void settle(long account, String hold, Random random, AtomicLong charged, Map<String, Long> settled) {
        long cost = random.nextInt(25_000);
        SettleResult r = money.core.settle(account, hold, cost, new Usage(1, "llm-proxy", "m", 1, 1)).await().atMost(WAIT);
        assertThat(r.duplicate()).isFalse();
        assertThat(r.chargedMicros()).isEqualTo(cost);
        charged.addAndGet(cost);
        settled.put(hold, cost);
    }

    private static Thread started(Runnable body) {
        Thread t = new Thread(body);
        t.start();
        return t;
    }

    /** PostgreSQL first, then Redis, as billing books a fact. */
    private static void book(long account, Map<String, Long> ledger, Map<String, Long> booked, String ref,
                             long amount) {
        ledger.put(ref, amount);
        CreditOutcome outcome = money.core.credit(account, ref, amount).await().atMost(WAIT).outcome();
        assertThat(outcome).isIn(CreditOutcome.APPLIED, CreditOutcome.DUPLICATE);
        booked.put(ref, amount);
    }

    private static void publishKey(long account, long key, String status) {
        PUBLISH_KEY.run(money.redis, List.of(KeySchema.apiKey(account, key)),
                List.of(status, "1000000", Long.toString(account))).await().atMost(WAIT);
    }
}
