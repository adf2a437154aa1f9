package ai.kiku.billing.jobs;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.vertx.mutiny.redis.client.Redis;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A worker's hold on the job it runs. The job's stream entry stays pending under the worker; other
 * workers claim entries idle for {@code claim-min-idle}, so while the job runs the lease resets the
 * idle time every third of that, and only while this worker still owns the entry. The lease counts
 * as held while the last renewal is younger than {@code claim-min-idle} and none was refused.
 */
public final class JobLease implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(JobLease.class);
    private static final LuaScript RENEW = LuaScript.load("job_lease");

    private final Redis redis;
    private final String consumer;
    private final String entryId;
    private final long validNanos;
    private final ScheduledFuture<?> renewal;
    private volatile long renewedAt = System.nanoTime();
    private volatile boolean lost;

    JobLease(Redis redis, ScheduledExecutorService scheduler, String consumer, String entryId, Duration claimMinIdle) {
        this.redis = redis;
        this.consumer = consumer;
        this.entryId = entryId;
        this.validNanos = claimMinIdle.toNanos();
        long every = Math.max(50, claimMinIdle.toMillis() / 3);
        this.renewal = scheduler.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** A lease for code run outside the queue (REST calls): always held. */
    public static JobLease none() {
        return new JobLease();
    }

    private JobLease() {
        this.redis = null;
        this.consumer = null;
        this.entryId = null;
        this.validNanos = Long.MAX_VALUE;
        this.renewal = null;
    }

    public boolean held() {
        return redis == null || (!lost && System.nanoTime() - renewedAt < validNanos);
    }

    private void renew() {
        if (lost) {
            return;
        }
        long started = System.nanoTime();
        try {
            var r = RENEW.run(redis, List.of(KeySchema.JOBS_STREAM), List.of(JobQueue.GROUP, consumer, entryId))
                    .await().atMost(Duration.ofNanos(Math.max(validNanos / 3, 1_000_000)));
            if (r.toInteger() == 1) {
                renewedAt = started;
            } else {
                lost = true;
                LOG.warnf("job entry %s was claimed by another worker; %s stops it", entryId, consumer);
            }
        } catch (RuntimeException e) {
            LOG.debugf("could not renew the lease of job entry %s: %s", entryId, e);
        }
    }

    @Override
    public void close() {
        if (renewal != null) {
            renewal.cancel(false);
        }
    }
}
