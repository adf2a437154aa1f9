package ai.kiku.api;

import ai.kiku.api.support.FakeBilling;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.api.support.PackagedInstances;
import ai.kiku.common.redis.KeySchema;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static ai.kiku.api.support.PackagedInstances.chatAsync;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real instances of the packaged gateway over one Redis Cluster: a key's rate limit and an
 * account's balance are enforced once for all replicas, not once per instance, because both are
 * checked in Redis in the same atomic step that takes the hold.
 */
class LimitsAcrossInstancesIT {

    private static final long MINUTE_MS = 60_000;
    /** What one local-echo call with a tiny body reserves and costs: the per-request price. */
    private static final long CALL_MICROS = 1000;

    private static PackagedInstances instances;
    private static FakeBilling billing;
    private static List<Integer> ports;

    @BeforeAll
    static void startThreeInstances() throws Exception {
        instances = PackagedInstances.start("limits-it", 3);
        billing = instances.billing();
        ports = instances.ports();
    }

    @AfterAll
    static void stop() {
        if (instances != null) {
            instances.close();
        }
    }

    @Test
    void shouldGrantExactlyTheKeysRateLimitPerMinuteAcrossAllInstances() throws Exception {
        TestKey key = billing.account(10_000_000, 600);
        // The limit is a fixed window named from the epoch minute; the burst must fit in one of them.
        long minute = awaitRoomInMinute(Duration.ofSeconds(30));
        long started = System.nanoTime();

        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> okPerInstance = new ConcurrentHashMap<>();
        Semaphore inFlight = new Semaphore(24);
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            int port = ports.get(i % ports.size());
            inFlight.acquire();
            calls.add(chatAsync(port, key).whenComplete((s, e) -> inFlight.release()).thenAccept(status -> {
                statuses.merge(status, 1, Integer::sum);
                if (status == 200) {
                    okPerInstance.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        System.out.printf("800 calls over 3 instances in %d ms: %s, granted per instance %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), new TreeMap<>(statuses), okPerInstance);
        assertThat(System.currentTimeMillis() / MINUTE_MS).as("the burst ended in the minute it started in")
                .isEqualTo(minute);

        assertThat(new TreeMap<>(statuses)).isEqualTo(Map.of(200, 600, 429, 200));
        // Every instance named the same window, and counted every call in it.
        assertThat(redisHashLong(KeySchema.rateLimit(key.accountId(), key.keyId()), "n")).isEqualTo(800);
        assertThat(okPerInstance.keySet()).as("every instance granted some of the 600").hasSize(3);
        awaitSettled(key.accountId());
        assertThat(billing.balance(key.accountId())).isEqualTo(10_000_000 - 600 * CALL_MICROS);
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(600);
    }

    @Test
    void shouldGrantExactlyWhatTheBalanceCoversToConcurrentCallsOnAllInstances() throws Exception {
        TestKey key = billing.account(100 * CALL_MICROS, 100_000);

        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            calls.add(chatAsync(ports.get(i % ports.size()), key));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<Integer, Integer> okPerInstance = new TreeMap<>();
        for (int i = 0; i < calls.size(); i++) {
            int status = calls.get(i).join();
            statuses.merge(status, 1, Integer::sum);
            if (status == 200) {
                okPerInstance.merge(ports.get(i % ports.size()), 1, Integer::sum);
            }
        }
        System.out.printf("300 concurrent calls over 3 instances for 100 calls' worth: %s, granted per instance %s%n",
                statuses, okPerInstance);

        assertThat(statuses).isEqualTo(Map.of(200, 100, 402, 200));
        awaitSettled(key.accountId());
        assertThat(billing.balance(key.accountId())).isZero();
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(100);
        assertThat(billing.usageCosts(key.accountId())).containsOnly(CALL_MICROS);
    }

    /** Waits for the next minute when less than {@code room} is left of this one; returns the epoch minute. */
    private static long awaitRoomInMinute(Duration room) throws InterruptedException {
        long now = System.currentTimeMillis();
        long left = MINUTE_MS - now % MINUTE_MS;
        if (left < room.toMillis()) {
            Thread.sleep(left + 100);
        }
        return System.currentTimeMillis() / MINUTE_MS;
    }

    /** Settles may land just after the reply; every hold is settled once "held" is back to 0. */
    private static void awaitSettled(long accountId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (billing.held(accountId) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(billing.held(accountId)).as("held once every call settled").isZero();
    }

    private static long redisHashLong(String key, String field) {
        Response value = instances.redis().send(Request.cmd(Command.HGET).arg(key).arg(field))
                .await().atMost(Duration.ofSeconds(5));
        return value == null ? 0 : value.toLong();
    }
}
