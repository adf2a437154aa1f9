package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.vertx.mutiny.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded randomized run of the whole money core against the real Redis Cluster, in the spirit of
 * TigerBeetle's VOPR: reserve, settle (below, at and above the hold), release, credit (new and
 * replayed), expiry, revoke, suspend, lost writes of a failover and rebuilds from a stale ledger
 * view, interleaved by the seed over several actors. Every step's answer and the account's state
 * after it are compared with {@link MoneyModel}. The seed is printed; {@code -Dkiku.vopr.seed=N}
 * replays it (and {@code -Dkiku.vopr.steps=N} makes a longer run).
 * {@link ConcurrentMoneySimulationTest} runs the same operations from real threads.
 */
class MoneySimulationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration SHORT_TTL = Duration.ofMillis(40);
    private static final LuaScript PUBLISH_KEY = LuaScript.load("publish_key");
    private static final int ACTORS = 4;
    private static final long[] KEYS = {1, 2, 3};

    private static MoneyFixture money;
    private static MoneyFixture shortHolds;

    @BeforeAll
    static void start() {
        money = new MoneyFixture();
        shortHolds = new MoneyFixture(SHORT_TTL);
    }

    @AfterAll
    static void stop() {
        money.close();
        shortHolds.close();
    }

    @Test
    void shouldMatchTheReferenceModelAtEveryStepOfASeededRun() throws InterruptedException {
        long seed = Long.getLong("kiku.vopr.seed", System.nanoTime());
        int steps = Integer.getInteger("kiku.vopr.steps", 1_500);
        System.out.println("MoneySimulationTest seed=" + seed + " steps=" + steps
                + " (replay: -Dkiku.vopr.seed=" + seed + ")");
        Run run = new Run(seed);
        for (int step = 0; step < steps; step++) {
            String op = run.step();
            run.assertSameState("step " + step + " " + op + " seed " + seed);
        }
        run.quiesce();
        run.assertSameState("after quiesce, seed " + seed);
        run.assertInvariants(seed);
    }

    /** One account driven by the seed; each actor owns its own holds. */
    private static final class Run {
        final Random random;
        final long account = MoneyFixture.newAccountId();
        final MoneyModel model = new MoneyModel();
        final List<List<String>> actorHolds = new ArrayList<>();
        int nextId;

        Run(long seed) {
            random = new Random(seed);
            money.openAccount(account, 0);
            for (long key : KEYS) {
                publishKey(key, "active");
                model.keys.put(key, "active");
            }
            for (int a = 0; a < ACTORS; a++) {
                actorHolds.add(new ArrayList<>());
            }
            credit("seed", 200_000);
        }

        String step() throws InterruptedException {
            int actor = random.nextInt(ACTORS);
            List<String> mine = actorHolds.get(actor);
            int dice = random.nextInt(100);
            if (dice < 30) {
                return reserve(mine, false);
            } else if (dice < 55 && !mine.isEmpty()) {
                return settle(mine.remove(random.nextInt(mine.size())));
            } else if (dice < 62 && !mine.isEmpty()) {
                return release(mine.remove(random.nextInt(mine.size())));
            } else if (dice < 67) {
                return replay();
            } else if (dice < 75) {
                return credit("pay-" + nextId++, 1 + random.nextInt(40_000));
            } else if (dice < 78) {
                return reserve(mine, true);
            } else if (dice < 82) {
                return toggleSuspension();
            } else if (dice < 83 && model.keys.values().stream().filter("active"::equals).count() > 1) {
                long key = KEYS[random.nextInt(KEYS.length)];
                publishKey(key, "revoked");
                model.keys.put(key, "revoked");
                // A publisher that read the key before the revoke writes after it: revocation is final.
                publishKey(key, "active");
                return "revoke " + key;
            } else if (dice < 86) {
                return loseWrites();
            } else if (dice < 92) {
                return rebuild();
            }
            return "idle";
        }

        /** A short-TTL hold is left to expire on Redis' clock before the next step, then swept by a peek. */
        String reserve(List<String> mine, boolean shortTtl) throws InterruptedException {
            String hold = "h" + nextId++;
            long key = KEYS[random.nextInt(KEYS.length)];
            long amount = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(30_000);
            MoneyCore core = shortTtl ? shortHolds.core : money.core;
            ReserveResult r = core.reserve(account, key, hold, amount).await().atMost(WAIT);
            ReserveOutcome expected = model.reserve(key, hold, amount);
            assertThat(r.outcome()).as("reserve %s of %d with key %d", hold, amount, key).isEqualTo(expected);
            if (r.reserved()) {
                assertThat(r.balanceMicros() - r.heldMicros()).as("spendable after a reserve").isGreaterThanOrEqualTo(0);
                mine.add(hold);
                if (shortTtl) {
                    Thread.sleep(SHORT_TTL.toMillis() + 20);
                    money.core.peek(account, key).await().atMost(WAIT);
                    model.expire(hold);
                }
            }
            return "reserve " + hold + " " + amount + " -> " + r.outcome();
        }

        String settle(String hold) {
            MoneyModel.Hold h = model.holds.get(hold);
            long base = h == null ? 10_000 : h.amount;
            long cost = switch (random.nextInt(4)) {
                case 0 -> base;
                case 1 -> base / 2;
                case 2 -> base + random.nextInt(5_000);
                default -> random.nextInt(1_000);
            };
            SettleResult r = money.core.settle(account, hold, cost, new Usage(1, "llm-proxy", "m", 1, 1))
                    .await().atMost(WAIT);
            long[] expected = model.settle(hold, cost);
            assertThat(new long[]{r.chargedMicros(), r.duplicate() ? 1 : 0, r.late() ? 1 : 0, r.overMicros()})
                    .as("settle %s at %d", hold, cost).containsExactly(expected);
            if (random.nextInt(5) == 0) {
                SettleResult again = money.core.settle(account, hold, cost + 1, new Usage(1, "llm-proxy", "m", 1, 1))
                        .await().atMost(WAIT);
                assertThat(again.duplicate()).isTrue();
                assertThat(again.chargedMicros()).isEqualTo(cost);
            }
            return "settle " + hold + " " + cost;
        }

        String release(String hold) {
            boolean released = money.core.release(account, hold).await().atMost(WAIT);
            assertThat(released).as("release %s", hold).isEqualTo(model.release(hold));
            return "release " + hold;
        }

        String credit(String ref, long amount) {
            CreditResult r = money.core.credit(account, ref, amount).await().atMost(WAIT);
            assertThat(r.outcome()).as("credit %s %d", ref, amount).isEqualTo(model.credit(ref, amount));
            return "credit " + ref + " " + amount;
        }

        String replay() {
            if (model.ledger.isEmpty()) {
                return "idle";
            }
            List<String> refs = new ArrayList<>(model.ledger.keySet());
            String ref = refs.get(random.nextInt(refs.size()));
            return credit(ref, model.ledger.get(ref)) + " (replay)";
        }

        String toggleSuspension() {
            String next = "active".equals(model.status) ? "suspended" : "active";
            LuaScript.load("publish_account").run(money.redis, List.of(KeySchema.account(account)),
                    List.of(next, "0")).await().atMost(WAIT);
            model.status = next;
            return "status " + next;
        }

        /** A failover lost recent writes: a credit's ref and amount, or the last charges (in PostgreSQL already). */
        String loseWrites() {
            if (random.nextBoolean() && !model.applied.isEmpty()) {
                String ref = new ArrayList<>(model.applied.keySet()).get(random.nextInt(model.applied.size()));
                long amount = model.applied.get(ref);
                money.send("HDEL", KeySchema.refs(account), ref);
                money.send("HINCRBY", KeySchema.account(account), "credited", Long.toString(-amount));
                money.send("HINCRBY", KeySchema.account(account), "balance", Long.toString(-amount));
                model.loseCredit(ref);
                return "lose credit " + ref;
            }
            long lost = Math.min(model.spent, random.nextInt(20_000));
            money.send("HINCRBY", KeySchema.account(account), "spent", Long.toString(-lost));
            money.send("HINCRBY", KeySchema.account(account), "balance", Long.toString(lost));
            model.loseSpent(lost);
            return "lose " + lost + " of charges";
        }

        /** Rebuilds from a stale prefix of the ledger and a stale floor of recorded usage. */
        String rebuild() {
            Map<String, Long> view = new LinkedHashMap<>();
            int cut = model.ledger.isEmpty() ? 0 : random.nextInt(model.ledger.size() + 1);
            model.ledger.entrySet().stream().limit(cut).forEach(e -> view.put(e.getKey(), e.getValue()));
            // What PostgreSQL had recorded when it was read: never more than was charged.
            long floor = Math.max(0, model.charged - random.nextInt(10_000));
            money.core.rebuild(account, "active", 0, floor, view).await().atMost(WAIT);
            model.rebuild(view, floor);
            return "rebuild refs " + cut + "/" + model.ledger.size() + " floor " + floor;
        }

        void publishKey(long key, String status) {
            PUBLISH_KEY.run(money.redis, List.of(KeySchema.apiKey(account, key)),
                    List.of(status, "1000000", Long.toString(account))).await().atMost(WAIT);
        }

        /** Settles or releases every hold still open and rebuilds from the whole ledger. */
        void quiesce() {
            for (List<String> mine : actorHolds) {
                for (String hold : mine) {
                    if (random.nextBoolean()) {
                        settle(hold);
                    } else {
                        release(hold);
                    }
                }
                mine.clear();
            }
            money.core.rebuild(account, "active", 0, model.charged, model.ledger).await().atMost(WAIT);
            model.rebuild(model.ledger, model.charged);
        }

        void assertSameState(String where) {
            Response f = money.send("HMGET", KeySchema.account(account), "balance", "held", "status", "credited",
                    "spent");
            assertThat(f.get(0).toLong()).as("balance at %s", where).isEqualTo(model.balance);
            assertThat(f.get(1).toLong()).as("held at %s", where).isEqualTo(model.held);
            assertThat(f.get(2).toString()).as("status at %s", where).isEqualTo(model.status);
            assertThat(f.get(0).toLong()).as("balance = credited - spent at %s", where)
                    .isEqualTo(f.get(3).toLong() - f.get(4).toLong());
        }

        void assertInvariants(long seed) {
            String why = "seed " + seed;
            // No overdraft beyond recorded overage and late charges of expired holds.
            assertThat(model.balance).as(why).isGreaterThanOrEqualTo(-(model.overage + model.late));
            // After the final rebuild Redis equals the ledger: every booked reference applied once.
            Response refs = money.send("HGETALL", KeySchema.refs(account));
            Map<String, Long> inRedis = new LinkedHashMap<>();
            for (String ref : refs.getKeys()) {
                inRedis.put(ref, refs.get(ref).toLong());
            }
            assertThat(inRedis).as(why).isEqualTo(model.ledger);
            long credits = model.ledger.values().stream().mapToLong(Long::longValue).sum();
            assertThat(money.balance(account)).as(why).isEqualTo(credits - model.charged);
            // Each settle recorded once in the usage stream.
            Map<String, Long> settledOnce = new LinkedHashMap<>();
            for (UsageLogEntry e : money.logOf(account)) {
                if (e.isUsage()) {
                    settledOnce.merge(e.requestId(), 1L, Long::sum);
                }
            }
            long settledHolds = model.holds.values().stream().filter(h -> h.state == 's').count();
            assertThat(settledOnce).as(why).hasSize((int) settledHolds).allSatisfy((req, n) -> assertThat(n).isOne());
            // No hold leaks.
            assertThat(model.openHeld()).as(why).isZero();
            assertThat(money.core.peek(account, KEYS[0]).await().atMost(WAIT).heldMicros()).as(why).isZero();
        }
    }
}
