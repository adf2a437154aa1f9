package ai.kiku.billing.jobs;

import ai.kiku.billing.config.ReconciliationConfig;
import ai.kiku.billing.service.ReconciliationService;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.scheduler.Scheduled;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/**
 * Queues a reconciliation run every {@code kiku.reconciliation.interval}; with several replicas only
 * one run per period is queued (a Redis SET NX marker). With {@code kiku.reconciliation.auto-repair}
 * the run restores what a Redis failover lost (credits, revocations, suspensions) and reports the rest.
 */
@ApplicationScoped
public class ReconciliationScheduler {

    private static final Logger LOG = Logger.getLogger(ReconciliationScheduler.class);
    public static final String MARKER = "kiku:jobs:scheduled:reconcile";

    private final JobQueue queue;
    private final Redis redis;
    private final ReconciliationConfig config;

    public ReconciliationScheduler(JobQueue queue, Redis redis, ReconciliationConfig config) {
        this.queue = queue;
        this.redis = redis;
        this.config = config;
    }

    @Scheduled(every = "${kiku.reconciliation.interval}", delayed = "${kiku.reconciliation.initial-delay}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void schedule() {
        try {
            // "off" only stops the timer; a run queued by hand still takes the marker for a second.
            long periodMillis = "off".equalsIgnoreCase(config.interval()) ? 2000
                    : DurationConverter.parseDuration(config.interval()).toMillis();
            var marker = redis.send(Request.cmd(Command.SET).arg(MARKER).arg("1").arg("NX").arg("PX")
                    .arg(Math.max(1000, periodMillis - 1000))).await().atMost(Duration.ofSeconds(10));
            if (marker == null) {
                return; // another replica queued this period's run
            }
            ReconciliationService.Mode mode = config.autoRepair() ? ReconciliationService.Mode.AUTO
                    : ReconciliationService.Mode.REPORT;
            queue.enqueue(JobQueue.RECONCILE, Map.of("mode", mode.name()))
                    .await().atMost(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warnf("could not queue the scheduled reconciliation: %s", e.toString());
        }
    }
}
