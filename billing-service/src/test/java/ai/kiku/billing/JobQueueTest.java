package ai.kiku.billing;

import ai.kiku.billing.config.JobsConfig;
import ai.kiku.billing.jobs.JobHandlers;
import ai.kiku.billing.jobs.JobQueue;
import ai.kiku.billing.jobs.JobWorker;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.redis.KeySchema;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    @Inject
    JobHandlers handlers;
    @Inject
    JobsConfig config;
    @Inject
    ObjectMapper json;

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
        // operators are alerted on the dead stream's length (KikuJobsDeadLettered)
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(ai.kiku.testing.PrometheusText.value(metrics, "kiku_jobs_dead_entries").longValueExact())
                .isEqualTo(redis("XLEN", KeySchema.JOBS_DEAD_STREAM).toLong());
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

    @Test
    void shouldNeverRunAJobTwiceAtOnceWhenItOutlivesTheClaimIdle() {
        // A second replica's worker next to the application's own; claim-min-idle is 1 s in tests.
        JobWorker other = new JobWorker(streams, redis, jobs, handlers, config, json,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        other.start();
        try {
            SlowTestJob.reset();
            String id = jobs.enqueue(SlowTestJob.TYPE, Map.of("ms", "4000")).await().indefinitely().jobId();
            eventually("slow job done", Duration.ofSeconds(30), () -> "done".equals(state(id)));
            // Time for a worker that wrongly re-claimed it to start it once more.
            eventually("no second run", Duration.ofMillis(1500), () -> false, true);
            assertThat(SlowTestJob.MAX_RUNNING.get()).as("copies running at once").isEqualTo(1);
            assertThat(SlowTestJob.STARTS.get()).as("runs").isEqualTo(1);
            admin().get("/admin/v1/jobs/" + id).then().statusCode(200).body("attempts", equalTo(1));
        } finally {
            other.stop();
        }
    }

    private String state(String id) {
        return admin().get("/admin/v1/jobs/" + id).then().statusCode(200).extract().jsonPath().getString("state");
    }
}
