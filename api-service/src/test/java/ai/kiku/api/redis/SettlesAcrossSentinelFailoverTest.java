package ai.kiku.api.redis;

import ai.kiku.common.money.MoneyConfig;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.money.Usage;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import ai.kiku.common.redis.RedisSettings;
import ai.kiku.devstack.RedisSentinels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The money hole of a planned Sentinel failover: settles keep coming from several event loops over the pinned
 * hot-path client (the shared pooled client behind it, as in production) while {@code SENTINEL FAILOVER} runs.
 * Every settle the caller saw succeed must be on the new primary afterwards, charge and usage record alike; a settle
 * that failed is retried with its hold id at the end and must then count once.
 */
class SettlesAcrossSentinelFailoverTest {

    private static final long COST = 100;
    private static final int LOOPS = 4;
    private static final int CHAINS_PER_LOOP = 4;

    @Test
    void shouldKeepEverySettleTheCallerSawSucceedWhenSentinelFailsOver() throws Exception {
        try (RedisSentinels redis = RedisSentinels.startPrivate("settle-failover", "failover-secret")) {
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
            try {
                RedisSettings settings = RedisSettings.from(name -> Optional.ofNullable(redis.config().get(name)));
                Redis shared = Redis.createClient(vertx, settings.toOptions().setMaxPoolSize(16).setMaxPoolWaiting(4096));
                RedisOptions options = RedisProducers.hotPathOptions(settings);
                PinnedRedis pinned = new PinnedRedis(shared, vertx, options, 5_000,
                        MoneyCore.meteringScripts().stream().map(LuaScript::loadRequest).toList());
                MoneyCore core = new MoneyCore(io.vertx.mutiny.redis.client.Redis.newInstance(pinned), retention(),
                        new SimpleMeterRegistry());
                long account = 4242;
                int oldPrimary = redis.primaryPort();

                Load load = new Load(core, account);
                for (int l = 0; l < LOOPS; l++) {
                    Context loop = vertx.getOrCreateContext();
                    for (int c = 0; c < CHAINS_PER_LOOP; c++) {
                        String chain = l + "-" + c;
                        loop.runOnContext(v -> load.next(loop, chain, new AtomicInteger()));
                    }
                }
                // warmed up: settles flow before the failover starts
                long warm = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (load.succeeded.size() < 2_000 && System.nanoTime() < warm) {
                    Thread.sleep(100);
                }
                int before = load.succeeded.size();
                int newPrimary = redis.failover();
                // keep settling until the old primary is a replica again (the window closes) and a little longer
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!roleOf(redis, oldPrimary).equals("slave") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                Thread.sleep(2_000);
                load.stop.set(true);
                assertThat(load.done.await(90, TimeUnit.SECONDS)).as("every chain ended").isTrue();

                // the caller's retry of what failed: the same hold id, charged at most once
                for (String holdId : load.failed.keySet()) {
                    core.settle(account, holdId, COST, usage()).await().atMost(Duration.ofSeconds(60));
                    load.succeeded.put(holdId, true);
                }

                Set<String> booked = usageRecords(redis, newPrimary, account);
                Object spent = redis.call(newPrimary, "HGET", KeySchema.account(account), "spent");
                Set<String> lost = new HashSet<>(load.succeeded.keySet());
                lost.removeAll(booked);
                System.out.printf("settles: %d before the failover, %d succeeded, %d failed then retried, %d lost"
                                + " (spent %s on the new primary, usage records %d); no settle succeeded for %d ms%n",
                        before,
                        load.succeeded.size() - load.failed.size(), load.failed.size(), lost.size(), spent,
                        booked.size(), load.longestGap / 1_000_000);
                assertThat(before).as("settles ran before the failover").isGreaterThanOrEqualTo(2_000);
                assertThat(lost).as("settles the caller saw succeed but the new primary lacks").isEmpty();
                assertThat(booked).containsExactlyInAnyOrderElementsOf(load.succeeded.keySet());
                assertThat(Long.parseLong(String.valueOf(spent))).isEqualTo(load.succeeded.size() * COST);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Settle chains, each issuing its next settle when the previous one answered. */
    private static final class Load {
        final MoneyCore core;
        final long account;
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(LOOPS * CHAINS_PER_LOOP);
        final Map<String, Boolean> succeeded = new ConcurrentHashMap<>();
        final Map<String, Boolean> failed = new ConcurrentHashMap<>();
        /** The longest time no settle succeeded: how long the failover kept writes out. */
        long lastSuccess = System.nanoTime();
        long longestGap;

        Load(MoneyCore core, long account) {
            this.core = core;
            this.account = account;
        }

        void next(Context loop, String chain, AtomicInteger sequence) {
            if (stop.get()) {
                done.countDown();
                return;
            }
            String holdId = "h-" + chain + "-" + sequence.incrementAndGet();
            core.settle(account, holdId, COST, usage()).subscribe().with(
                    result -> {
                        succeeded.put(holdId, true);
                        synchronized (this) {
                            long now = System.nanoTime();
                            longestGap = Math.max(longestGap, now - lastSuccess);
                            lastSuccess = now;
                        }
                        loop.runOnContext(v -> next(loop, chain, sequence));
                    },
                    failure -> {
                        failed.put(holdId, true);
                        loop.runOnContext(v -> next(loop, chain, sequence));
                    });
        }
    }

    private static Set<String> usageRecords(RedisSentinels redis, int port, long account) {
        Set<String> requests = new HashSet<>();
        for (Object entry : (List<?>) redis.call(port, "XRANGE", KeySchema.usageLog(account), "-", "+")) {
            List<?> fields = (List<?>) ((List<?>) entry).get(1);
            Map<String, String> f = new java.util.HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                f.put(String.valueOf(fields.get(i)), String.valueOf(fields.get(i + 1)));
            }
            if ("usage".equals(f.get("type")) && String.valueOf(account).equals(f.get("acct"))) {
                assertThat(requests.add(f.get("req"))).as("one usage record per settle: " + f.get("req")).isTrue();
            }
        }
        return requests;
    }

    private static String roleOf(RedisSentinels redis, int port) {
        try {
            return String.valueOf(((List<?>) redis.call(port, "ROLE")).get(0));
        } catch (RuntimeException e) {
            return "down";
        }
    }

    private static Usage usage() {
        return new Usage(1, "llm-proxy", "local-echo", 3, 2);
    }

    private static MoneyConfig retention() {
        return new MoneyConfig() {
            @Override
            public Duration holdTtl() {
                return Duration.ofMinutes(15);
            }

            @Override
            public Duration holdRetention() {
                return Duration.ofHours(1);
            }
        };
    }
}
