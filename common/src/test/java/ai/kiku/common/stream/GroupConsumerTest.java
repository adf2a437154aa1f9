package ai.kiku.common.stream;

import ai.kiku.common.redis.RedisSettings;
import ai.kiku.devstack.RedisCluster;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The consumer-group loop against the shared Redis Cluster: at-least-once, ack after success, claims, drain on stop. */
class GroupConsumerTest {

    private static final String GROUP = "g";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicLong NEXT = new AtomicLong(System.nanoTime() % 1_000_000);

    private static Vertx vertx;
    private static Redis redis;
    private static StreamClient client;
    private final List<GroupConsumer> started = new ArrayList<>();

    @BeforeAll
    static void connect() {
        RedisCluster servers = RedisCluster.shared();
        RedisOptions options = RedisSettings.from(name -> Optional.ofNullable(servers.config().get(name))).toOptions()
                .setMaxPoolSize(16).setMaxPoolWaiting(256);
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, options);
        client = new StreamClient(redis);
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        vertx.closeAndAwait();
    }

    @AfterEach
    void stopConsumers() {
        started.forEach(c -> c.stop(Duration.ofSeconds(5)));
    }

    @Test
    void entryWhoseHandlerFailedIsRedeliveredAndAcknowledgedOnlyAfterSuccess() {
        String stream = newStream();
        String id = add(stream, "n", "1");
        AtomicInteger attempts = new AtomicInteger();
        List<Long> pendingWhileHandling = new CopyOnWriteArrayList<>();
        start("c1", List.of(stream), (s, entries, stopping) -> {
            pendingWhileHandling.add(pendingCount(s));
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("store down");
            }
            return entries.stream().map(StreamEntry::id).toList();
        });

        eventually("acknowledged after the retry", () -> attempts.get() >= 2 && pendingCount(stream) == 0);
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(pendingWhileHandling).as("the entry was still pending during both attempts").containsExactly(1L, 1L);
        assertThat(id).isNotBlank();
    }

    @Test
    void entryTheHandlerDidNotFinishStaysPending() throws Exception {
        String stream = newStream();
        add(stream, "n", "1");
        CountDownLatch handled = new CountDownLatch(1);
        start("c1", List.of(stream), (s, entries, stopping) -> {
            handled.countDown();
            return List.of();
        });

        assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        assertThat(pendingCount(stream)).isEqualTo(1);
    }

    @Test
    void entryOfAConsumerKilledMidEntryIsReclaimedByAnother() throws Exception {
        String stream = newStream();
        String id = add(stream, "n", "1");
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        GroupConsumer dying = start("dying", List.of(stream), (s, entries, stopping) -> {
            inHandler.countDown();
            never.await(); // wedged mid-entry, as if the process died
            throw new IllegalStateException("killed");
        });
        assertThat(inHandler.await(30, TimeUnit.SECONDS)).isTrue();
        dying.stop(Duration.ofMillis(50));

        List<String> takenOver = new CopyOnWriteArrayList<>();
        start("survivor", List.of(stream), (s, entries, stopping) -> {
            entries.forEach(e -> takenOver.add(e.id()));
            return entries.stream().map(StreamEntry::id).toList();
        });

        eventually("the survivor claimed and finished it", () -> pendingCount(stream) == 0 && !takenOver.isEmpty());
        assertThat(takenOver).containsExactly(id);
        never.countDown();
    }

    @Test
    void stopLetsTheRunningEntryFinishAndAcknowledgesOnlyWhatFinished() throws Exception {
        String stream = newStream();
        String first = add(stream, "n", "1");
        String second = add(stream, "n", "2");
        String third = add(stream, "n", "3");
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        GroupConsumer consumer = start("c1", List.of(stream), (s, entries, stopping) -> {
            List<String> done = new ArrayList<>();
            for (StreamEntry e : entries) {
                if (stopping.getAsBoolean()) {
                    break;
                }
                if (e.id().equals(first)) {
                    inFirst.countDown();
                    release.await();
                }
                done.add(e.id());
                finished.add(e.id());
            }
            return done;
        });
        assertThat(inFirst.await(30, TimeUnit.SECONDS)).isTrue();

        Thread stopper = new Thread(() -> consumer.stop(Duration.ofSeconds(20)));
        stopper.start();
        eventually("stop requested", () -> !consumer.isRunning());
        release.countDown();
        stopper.join(20_000);

        assertThat(finished).containsExactly(first);
        assertThat(pendingIds(stream)).containsExactly(second, third);
    }

    @Test
    void readsStreamsOnDifferentClusterNodesInOneLoop() {
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            streams.add(newStream());
        }
        List<String> ids = streams.stream().map(s -> add(s, "n", s)).toList();
        List<String> seen = new CopyOnWriteArrayList<>();
        start("c1", streams, (s, entries, stopping) -> {
            entries.forEach(e -> seen.add(e.fields().get("n")));
            return entries.stream().map(StreamEntry::id).toList();
        });

        eventually("every stream drained", () -> seen.size() == streams.size()
                && streams.stream().allMatch(s -> pendingCount(s) == 0));
        assertThat(seen).containsExactlyInAnyOrderElementsOf(streams);
        assertThat(ids).hasSize(6);
    }

    @Test
    void livenessFailsOnlyWhileTheLoopIsWedged() throws Exception {
        String stream = newStream();
        add(stream, "n", "1");
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupConsumer consumer = start("c1", List.of(stream), (s, entries, stopping) -> {
            inHandler.countDown();
            release.await();
            return entries.stream().map(StreamEntry::id).toList();
        });
        assertThat(inHandler.await(30, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(400);

        assertThat(consumer.live(Duration.ofMillis(200))).isFalse();
        release.countDown();
        eventually("live again once it goes round", () -> consumer.live(Duration.ofMillis(200)));
    }

    private GroupConsumer start(String name, List<String> streams, GroupConsumer.Handler handler) {
        ConsumerSettings settings = new ConsumerSettings(GROUP, name, 10, Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofMillis(100), Duration.ZERO, Duration.ofMillis(200), Duration.ofSeconds(10), Optional.empty());
        GroupConsumer consumer = new GroupConsumer("test-" + name, client, streams, settings,
                ReadPlan.everyRound(settings.batch()), handler);
        started.add(consumer);
        consumer.start();
        return consumer;
    }

    /** A fresh stream; its hash tag spreads the tests' streams over the cluster's nodes. */
    private static String newStream() {
        return "{gc" + NEXT.incrementAndGet() + "}:stream";
    }

    private static String add(String stream, String field, String value) {
        return client.add(stream, Map.of(field, value), 1000).await().atMost(WAIT);
    }

    private static long pendingCount(String stream) {
        Response r = redis.send(Request.cmd(io.vertx.mutiny.redis.client.Command.XPENDING).arg(stream).arg(GROUP))
                .await().atMost(WAIT);
        return r.get(0).toLong();
    }

    private static List<String> pendingIds(String stream) {
        Response r = redis.send(Request.cmd(io.vertx.mutiny.redis.client.Command.XPENDING).arg(stream).arg(GROUP)
                .arg("-").arg("+").arg(100)).await().atMost(WAIT);
        List<String> ids = new ArrayList<>();
        for (Response e : r) {
            ids.add(e.get(0).toString());
        }
        return ids;
    }

    private static void eventually(String what, BooleanSupplier check) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
