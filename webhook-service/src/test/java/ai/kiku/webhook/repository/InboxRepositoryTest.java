package ai.kiku.webhook.repository;

import ai.kiku.webhook.service.EventProcessor;
import ai.kiku.webhook.support.Paddle;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The claim that lets several replicas work one inbox: no row goes to two workers, a lapsed lease comes back. */
@QuarkusTest
class InboxRepositoryTest {

    @Inject
    Inbox inbox;

    @Inject
    EventProcessor processor;

    @AfterEach
    void resume() {
        processor.resume();
    }

    @Test
    void shouldNeverHandTheSameRowToTwoConcurrentWorkers() throws Exception {
        processor.pause();
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String eventId = Paddle.id("evt");
            ours.add(eventId);
            // a type the handlers would hold, but these rows are only claimed here, never processed
            Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                    Paddle.transaction(Paddle.id("txn"), null, "pri_local_5", 1, 500))).then().statusCode(200);
        }
        ExecutorService workers = Executors.newFixedThreadPool(6);
        CyclicBarrier start = new CyclicBarrier(6);
        List<Callable<List<String>>> claims = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            claims.add(() -> {
                start.await(30, TimeUnit.SECONDS); // all six claim together, or the test fails instead of hanging
                List<String> mine = new ArrayList<>();
                List<InboxRow> batch;
                while (!(batch = inbox.claimDue(4, Duration.ofMinutes(5))).isEmpty()) {
                    batch.forEach(row -> mine.add(row.eventId()));
                }
                return mine;
            });
        }
        List<String> claimed = new ArrayList<>();
        try {
            for (Future<List<String>> f : workers.invokeAll(claims)) {
                claimed.addAll(f.get());
            }
        } finally {
            workers.shutdownNow();
        }

        assertThat(claimed).doesNotHaveDuplicates().containsAll(ours);
        assertThat(inbox.find(ours.get(0)).orElseThrow().attempts()).isEqualTo(1);
        for (String id : ours) {
            inbox.finish(id, "ignored", null, "{}", "claimed by the test");
        }
    }

    @Test
    void shouldHandARowAgainOnceItsLeaseLapsed() throws Exception {
        processor.pause();
        String eventId = Paddle.id("evt");
        Paddle.deliver(Paddle.envelope(eventId, "transaction.completed",
                Paddle.transaction(Paddle.id("txn"), null, "pri_local_5", 1, 500))).then().statusCode(200);
        assertThat(inbox.claim(eventId, Duration.ofMillis(300))).isPresent();
        assertThat(inbox.claim(eventId, Duration.ofMillis(300))).isEmpty(); // leased to the first worker
        Thread.sleep(400); // that worker "crashed"
        assertThat(inbox.claim(eventId, Duration.ofMinutes(5))).map(InboxRow::attempts).contains(2);
        inbox.finish(eventId, "ignored", null, "{}", "claimed by the test");
    }
}
