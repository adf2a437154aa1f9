package ai.kiku.billing.jobs;

import ai.kiku.billing.config.JobsConfig;
import ai.kiku.common.stream.BackgroundLoop;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.stream.StreamEntry;
import ai.kiku.common.lifecycle.ShutdownDeadline;
import ai.kiku.common.redis.KeySchema;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs queued jobs. A failed job is retried with exponential backoff (parked in a delayed set until
 * due) and goes to {@code kiku:jobs:dead} after the configured number of attempts; a job whose
 * worker crashed stays pending in the group and is claimed once idle long enough. A running job's
 * lease is renewed ({@link JobLease}), so a job longer than the claim idle is never run twice at once.
 */
@Singleton
public class JobWorker extends BackgroundLoop {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** How often the dead stream is counted for the gauge (an operator empties it by hand, rarely). */
    private static final long DEAD_COUNT_INTERVAL_MS = 15_000;
    private static final int BATCH = 10;

    private final StreamClient streams;
    private final Redis redis;
    private final JobQueue queue;
    private final JobHandlers handlers;
    private final JobsConfig config;
    private final ObjectMapper json;
    private final String consumer = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    /** Renews the leases of running jobs (the worker thread itself is busy running them). */
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-lease");
        t.setDaemon(true);
        return t;
    });
    /** Jobs waiting in the dead stream for an operator (kiku_jobs_dead_entries, alerted on). */
    private final AtomicLong deadWaiting = new AtomicLong();
    private boolean groupReady;
    private long lastClaim;
    private long lastDeadCount;

    public JobWorker(StreamClient streams, Redis redis, JobQueue queue, JobHandlers handlers, JobsConfig config,
                     ObjectMapper json, MeterRegistry registry) {
        super("job-worker");
        Gauge.builder("kiku.jobs.dead.entries", deadWaiting, AtomicLong::get)
                .description("Jobs waiting in the dead stream after their last attempt failed").register(registry);
        this.streams = streams;
        this.redis = redis;
        this.queue = queue;
        this.handlers = handlers;
        this.config = config;
        this.json = json;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.workerEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event, ShutdownDeadline deadline) {
        stop(deadline.remaining());
    }

    @Override
    protected boolean round() throws Exception {
        if (!groupReady) {
            streams.ensureGroup(KeySchema.JOBS_STREAM, JobQueue.GROUP).await().atMost(CALL_TIMEOUT);
            groupReady = true;
        }
        try {
            int done = promoteDue();
            long now = System.currentTimeMillis();
            if (now - lastDeadCount >= DEAD_COUNT_INTERVAL_MS) {
                lastDeadCount = now;
                deadWaiting.set(streams.length(KeySchema.JOBS_DEAD_STREAM).await().atMost(CALL_TIMEOUT));
            }
            if (now - lastClaim >= Math.min(config.claimMinIdle().toMillis(), 60_000)) {
                lastClaim = now;
                done += handleAll(streams.claim(KeySchema.JOBS_STREAM, JobQueue.GROUP, consumer,
                        config.claimMinIdle().toMillis(), "0-0", BATCH).await().atMost(CALL_TIMEOUT).entries());
            }
            done += handleAll(streams.read(KeySchema.JOBS_STREAM, JobQueue.GROUP, consumer, BATCH, ">")
                    .await().atMost(CALL_TIMEOUT));
            return done > 0;
        } catch (RuntimeException e) {
            if (StreamClient.isNoGroup(e)) {
                groupReady = false;
            }
            throw e;
        }
    }

    /** Moves jobs whose retry time has come from the delayed set back onto the stream. */
    private int promoteDue() throws Exception {
        Response due = redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(JobQueue.DELAYED).arg("-inf")
                .arg(System.currentTimeMillis()).arg("LIMIT").arg(0).arg(BATCH)).await().atMost(CALL_TIMEOUT);
        int moved = 0;
        for (Response member : due) {
            Map<String, String> fields = json.readValue(member.toString(), new TypeReference<>() { });
            streams.add(KeySchema.JOBS_STREAM, fields, JobQueue.MAX_LEN).await().atMost(CALL_TIMEOUT);
            redis.send(Request.cmd(Command.ZREM).arg(JobQueue.DELAYED).arg(member.toString()))
                    .await().atMost(CALL_TIMEOUT);
            moved++;
        }
        return moved;
    }

    private int handleAll(List<StreamEntry> entries) throws Exception {
        int finished = 0;
        for (StreamEntry e : entries) {
            boolean mine = e.deleted() || handle(e.id(), e.fields());
            finished++;
            if (mine) {
                // Acknowledged one by one: a crash loses at most the job in hand to the claim path, never others.
                streams.ackAndDelete(KeySchema.JOBS_STREAM, JobQueue.GROUP, List.of(e.id())).await().atMost(CALL_TIMEOUT);
            }
        }
        return finished;
    }

    /** Runs a job under a renewed lease; false when the lease was lost (the job belongs to another worker now). */
    private boolean handle(String entryId, Map<String, String> fields) throws Exception {
        String id = fields.getOrDefault("job", "unknown");
        String type = fields.getOrDefault("type", "");
        int attempts = Integer.parseInt(fields.getOrDefault("attempts", "0")) + 1;
        Map<String, String> args = new HashMap<>();
        fields.forEach((k, v) -> {
            if (k.startsWith("arg.")) {
                args.put(k.substring(4), v);
            }
        });
        queue.status(id, type, "running", attempts, null, null).await().atMost(CALL_TIMEOUT);
        try (JobLease lease = new JobLease(redis, renewals, consumer, entryId, config.claimMinIdle())) {
            try {
                String result = handlers.run(type, args, lease);
                if (!lease.held()) {
                    LOG.warnf("job %s finished after its lease was lost; leaving it to its new owner", id);
                    return false;
                }
                queue.status(id, type, "done", attempts, result, null).await().atMost(CALL_TIMEOUT);
                LOG.infof("job %s done: %s", id, result);
            } catch (Exception failure) {
                if (!lease.held()) {
                    LOG.warnf("job %s stopped: its lease was lost (%s); another worker owns it", id, failure);
                    return false;
                }
                retryOrBury(id, type, attempts, fields, failure);
            }
        }
        return true;
    }

    private void retryOrBury(String id, String type, int attempts, Map<String, String> fields, Exception failure)
            throws Exception {
        String error = String.valueOf(failure.getMessage());
        Map<String, String> next = new HashMap<>(fields);
        next.put("attempts", Integer.toString(attempts));
        next.put("error", error);
        if (attempts >= config.maxAttempts()) {
            streams.add(KeySchema.JOBS_DEAD_STREAM, next, JobQueue.MAX_LEN).await().atMost(CALL_TIMEOUT);
            deadWaiting.set(streams.length(KeySchema.JOBS_DEAD_STREAM).await().atMost(CALL_TIMEOUT));
            queue.status(id, type, "dead", attempts, null, error).await().atMost(CALL_TIMEOUT);
            LOG.errorf(failure, "job %s failed %d times; moved to %s", id, attempts, KeySchema.JOBS_DEAD_STREAM);
            return;
        }
        long delay = config.backoff().toMillis() << Math.min(attempts - 1, 20);
        redis.send(Request.cmd(Command.ZADD).arg(JobQueue.DELAYED).arg(System.currentTimeMillis() + delay)
                .arg(json.writeValueAsString(next))).await().atMost(CALL_TIMEOUT);
        queue.status(id, type, "retrying", attempts, null, error).await().atMost(CALL_TIMEOUT);
        LOG.warnf("job %s attempt %d failed (%s); retrying in %d ms", id, attempts, error, delay);
    }

    @Override
    protected Duration idleBackoff() {
        return config.pollInterval();
    }

    @Override
    protected Duration maxErrorBackoff() {
        return Duration.ofSeconds(10);
    }
}
