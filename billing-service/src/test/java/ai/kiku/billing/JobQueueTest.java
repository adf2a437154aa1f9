package ai.kiku.billing;

import ai.kiku.billing.jobs.JobQueue;
import ai.kiku.billing.jobs.JobWorker;
import ai.kiku.billing.stream.StreamClient;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class JobQueueTest extends BillingTestBase {

    @Inject
    JobQueue jobs;
    @Inject
    StreamClient streams;
    @Inject
    JobWorker worker;

    @Test
    void shouldRetryAFailingJobWithBackoffThenDeadLetterIt() {
        long start = System.nanoTime();
        String id = jobs.enqueue("no_such_job", Map.of("x", "1")).await().indefinitely().jobId();
        eventually("job dead-lettered", Duration.ofSeconds(30), () -> "dead".equals(state(id)));
        // three attempts with a 50 ms backoff doubling in between: at least 50 + 100 ms, so not retried at once
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        admin().get("/admin/v1/jobs/" + id).then().statusCode(200).body("attempts", equalTo(3))
                .body("error", equalTo("unknown job type 'no_such_job'"));
        long inDead = 0;
        for (var entry : redis("XRANGE", KeySchema.JOBS_DEAD_STREAM, "-", "+")) {
            inDead += entry.get(1).toString().contains(id) ? 1 : 0;
        }
        assertThat(inDead).isEqualTo(1);
        admin().get("/admin/v1/jobs/nope").then().statusCode(404);
    }

    @Test
    void shouldRunAJobWhoseWorkerCrashedAfterTakingIt() {
        worker.stop();
        String id;
        try {
            id = jobs.enqueue(JobQueue.RECONCILE, Map.of("repair", "false")).await().indefinitely().jobId();
            // Another worker took it and died; it stays pending in the group until claimed.
            var taken = streams.read(KeySchema.JOBS_STREAM, JobQueue.GROUP, "crashed-worker", 100, ">")
                    .await().indefinitely();
            assertThat(taken).anyMatch(e -> id.equals(e.fields().get("job")));
            assertThat(state(id)).isEqualTo("queued");
        } finally {
            worker.start();
        }
        eventually("claimed job done", Duration.ofSeconds(30), () -> "done".equals(state(id)));
        assertThat(admin().get("/admin/v1/jobs/" + id).then().extract().jsonPath().getString("result"))
                .startsWith("checked ");
    }

    private String state(String id) {
        return admin().get("/admin/v1/jobs/" + id).then().statusCode(200).extract().jsonPath().getString("state");
    }
}
