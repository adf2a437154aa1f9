package ai.kiku.webhook.service;

import ai.kiku.webhook.config.WebhookConfig;
import ai.kiku.webhook.repository.Inbox;
import ai.kiku.webhook.repository.InboxException;
import ai.kiku.webhook.repository.InboxRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Works the inbox asynchronously: a poller claims due rows (any number of replicas may run it),
 * and each freshly inserted event gets an immediate nudge so a top-up shows up in about the time
 * billing takes. A failure is retried with exponential backoff and dead-lettered after
 * {@code kiku.webhook.max-attempts}; an adjustment whose transaction has not been credited yet waits instead,
 * for {@code kiku.webhook.await-transaction} after its receipt, without spending attempts. Every path ends in billing's ledger, which books a reference
 * once, so a crash anywhere converges to exactly one credit.
 */
@ApplicationScoped
public class EventProcessor {

    /** Event types that move money; every other type is stored as {@code ignored}. */
    public static final Set<String> HANDLED = Set.of("transaction.completed", "adjustment.created", "adjustment.updated");

    private static final Logger LOG = Logger.getLogger(EventProcessor.class);
    private static final int MAX_ERROR_LENGTH = 1000;
    private static final int MAX_BATCHES_PER_POLL = 10;

    private final Inbox inbox;
    private final TransactionHandler transactions;
    private final AdjustmentHandler adjustments;
    private final Alerts alerts;
    private final WebhookConfig config;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;
    // Nudges are best effort: when the queue is full the poller picks the event up instead.
    private final ThreadPoolExecutor nudges = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1000), r -> new Thread(r, "paddle-nudge"), new ThreadPoolExecutor.DiscardPolicy());
    private volatile boolean paused;

    public EventProcessor(Inbox inbox, TransactionHandler transactions, AdjustmentHandler adjustments,
                          Alerts alerts, WebhookConfig config, ObjectMapper mapper, MeterRegistry registry) {
        this.inbox = inbox;
        this.transactions = transactions;
        this.adjustments = adjustments;
        this.alerts = alerts;
        this.config = config;
        this.mapper = mapper;
        this.registry = registry;
        this.paused = !config.processorEnabled();
        nudges.allowCoreThreadTimeOut(true);
    }

    /** Stops claiming events (receiving goes on); what is being processed finishes. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    public boolean paused() {
        return paused;
    }

    /** Processes one just-stored event now, unless another worker already has it. */
    public void nudge(String eventId) {
        if (paused) {
            return;
        }
        nudges.execute(() -> {
            try {
                inbox.claim(eventId, config.lease()).ifPresent(this::process);
            } catch (InboxException e) {
                LOG.warnf("could not claim %s now (%s); the poller retries", eventId, e.getMessage());
            }
        });
    }

    @Scheduled(every = "${kiku.webhook.poll-interval:1s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (paused) {
            return;
        }
        try {
            for (int batch = 0; batch < MAX_BATCHES_PER_POLL && !paused; batch++) {
                List<InboxRow> due = inbox.claimDue(config.batchSize(), config.lease());
                due.forEach(this::process);
                if (due.size() < config.batchSize()) {
                    return;
                }
            }
        } catch (InboxException e) {
            LOG.warnf("inbox poll failed: %s", e.getMessage());
        }
    }

    /** Runs the handler of a claimed row and records the result; never throws. */
    void process(InboxRow row) {
        Outcome outcome;
        try {
            outcome = dispatch(row);
        } catch (AwaitingTransactionException waiting) {
            waiting(row, waiting);
            return;
        } catch (HoldException hold) {
            alerts.raise(hold.reason(), row.eventId(), hold.getMessage());
            outcome = Outcome.held(hold.accountId(), Map.of("reason", hold.reason()),
                    hold.reason() + ": " + hold.getMessage());
        } catch (Exception e) {
            failed(row, e);
            return;
        }
        try {
            inbox.finish(row.eventId(), outcome.status(), outcome.accountId(),
                    mapper.writeValueAsString(outcome.details()), outcome.note());
            registry.counter("kiku.webhook.processed", "type", row.eventType(), "status", outcome.status()).increment();
            if (row.eventType().equals("transaction.completed") && row.entityId() != null) {
                // a refund that came first may be waiting up to backoff-max for its next look: not that long
                inbox.wakeAdjustments(row.entityId());
            }
        } catch (Exception e) {
            // the lease brings the row back; billing dedupes the repeated ledger call
            LOG.warnf("could not record the outcome of %s (%s); it is retried after its lease", row.eventId(),
                    e.getMessage());
        }
    }

    private Outcome dispatch(InboxRow row) throws Exception {
        JsonNode data = mapper.readTree(row.payload()).get("data");
        return switch (row.eventType()) {
            case "transaction.completed" -> transactions.handle(row.eventId(), data);
            case "adjustment.created", "adjustment.updated" -> adjustments.handle(row.eventId(), data);
            default -> Outcome.ignored("event type " + row.eventType() + " is not handled");
        };
    }

    private void failed(InboxRow row, Exception e) {
        String error = (e.getClass().getSimpleName() + ": " + e.getMessage());
        error = error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
        Duration delay = backoff(row.attempts());
        try {
            String status = inbox.fail(row.eventId(), config.maxAttempts(), delay, error).orElse("finished");
            if (status.equals("dead")) {
                alerts.raise("dead_letter", row.eventId(), "gave up after " + row.attempts() + " attempts: " + error);
            } else {
                LOG.warnf("Paddle event %s attempt %d failed, retry in %s: %s", row.eventId(), row.attempts(),
                        delay, error);
            }
        } catch (InboxException failure) {
            LOG.warnf("could not record the failure of %s (%s); it is retried after its lease", row.eventId(),
                    failure.getMessage());
        }
    }

    private void waiting(InboxRow row, AwaitingTransactionException e) {
        try {
            String status = inbox.await(row, config.awaitTransaction(), config.backoffBase(),
                    config.backoffMax(), e.getMessage()).orElse("finished");
            if (status.equals("dead")) {
                alerts.raise("dead_letter", row.eventId(), "gave up after waiting " + config.awaitTransaction()
                        + " since its receipt: " + e.getMessage());
            } else {
                LOG.debugf("Paddle event %s: %s", row.eventId(), e.getMessage());
            }
        } catch (InboxException failure) {
            LOG.warnf("could not record that %s waits (%s); it is retried after its lease", row.eventId(),
                    failure.getMessage());
        }
    }

    /** base × 2^(attempts−1), at most the configured maximum. */
    Duration backoff(int attempts) {
        long base = config.backoffBase().toMillis();
        int shift = Math.min(Math.max(attempts - 1, 0), 30);
        long delay = base > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : base << shift;
        return Duration.ofMillis(Math.min(delay, config.backoffMax().toMillis()));
    }

    @PreDestroy
    void stop() throws InterruptedException {
        paused = true;
        nudges.shutdown();
        nudges.awaitTermination(5, TimeUnit.SECONDS);
    }
}
