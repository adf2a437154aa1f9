package ai.kiku.bot.service;

import ai.kiku.bot.config.NotifyConfig;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.redis.KeySchema;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.ClaimedMessages;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads billing's {@code kiku:notify} stream in consumer group {@code bot} on its own thread:
 * new entries with XREADGROUP BLOCK, entries left pending by a dead or unlucky consumer with
 * XAUTOCLAIM. An entry is acknowledged only once its message was sent (or can never be).
 */
@ApplicationScoped
public class NotifyConsumer {

    private static final Logger LOG = Logger.getLogger(NotifyConsumer.class);
    private static final String STREAM = KeySchema.NOTIFY_STREAM;
    private static final int MAX_CLAIM_PAGES = 10;

    private final StreamCommands<String, String, String> streams;
    private final NotificationSender sender;
    private final NotifyConfig config;
    private final MeterRegistry registry;
    private final String consumer;
    private volatile boolean running;
    private volatile long lastLoopMillis;
    private Thread thread;

    public NotifyConsumer(RedisDataSource redis, NotificationSender sender, NotifyConfig config,
                          MeterRegistry registry) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.sender = sender;
        this.config = config;
        this.registry = registry;
        this.consumer = config.consumer().filter(c -> !c.isBlank()).orElseGet(NotifyConsumer::hostName);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("notification consumer disabled (kiku.notify.enabled=false)");
            return;
        }
        running = true;
        lastLoopMillis = System.currentTimeMillis();
        thread = new Thread(this::run, "bot-notify");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("consuming %s as %s/%s", STREAM, config.group(), consumer);
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        Thread t = thread;
        if (t != null) {
            try {
                t.join(config.block().toMillis() + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For the liveness check: the loop went round recently (or is off). */
    public boolean healthy() {
        return !running || System.currentTimeMillis() - lastLoopMillis < config.block().toMillis() + 300_000;
    }

    private void run() {
        boolean groupReady = false;
        long nextClaim = 0;
        int failures = 0;
        while (running) {
            lastLoopMillis = System.currentTimeMillis();
            try {
                if (!groupReady) {
                    createGroup();
                    groupReady = true;
                }
                if (System.currentTimeMillis() >= nextClaim) {
                    claimStale();
                    nextClaim = System.currentTimeMillis() + config.claimInterval().toMillis();
                }
                List<StreamMessage<String, String, String>> fresh = streams.xreadgroup(config.group(), consumer,
                        STREAM, ">", new XReadGroupArgs().count(config.batch()).block(config.block()));
                handleAll(fresh);
                failures = 0;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    groupReady = false; // the stream was deleted and recreated
                }
                failures++;
                LOG.warnf("notify loop: %s (attempt %d)", e.getMessage(), failures);
                pause(Math.min(10_000L, 250L << Math.min(failures, 6)));
            }
        }
    }

    private void createGroup() {
        try {
            // From the start of the stream: events published before the bot first ran are still owed.
            streams.xgroupCreate(STREAM, config.group(), "0", new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    private void claimStale() {
        String cursor = "0-0";
        for (int page = 0; page < MAX_CLAIM_PAGES && running; page++) {
            ClaimedMessages<String, String, String> claimed = streams.xautoclaim(STREAM, config.group(), consumer,
                    config.claimIdle(), cursor, config.batch());
            handleAll(claimed.getMessages());
            cursor = claimed.getId();
            if (cursor == null || "0-0".equals(cursor)) {
                return;
            }
        }
    }

    private void handleAll(List<StreamMessage<String, String, String>> messages) {
        if (messages == null) {
            return;
        }
        for (StreamMessage<String, String, String> message : messages) {
            if (!running) {
                return;
            }
            handle(message);
        }
    }

    private void handle(StreamMessage<String, String, String> message) {
        lastLoopMillis = System.currentTimeMillis();
        Map<String, String> fields = message.payload();
        NotificationSender.Outcome outcome;
        if (fields == null || fields.isEmpty()) {
            outcome = NotificationSender.Outcome.DROPPED; // trimmed away while pending
        } else {
            NotifyEvent event;
            try {
                event = NotifyEvent.fromFields(fields);
            } catch (RuntimeException e) {
                LOG.warnf("notify entry %s is malformed, dropped: %s", message.id(), e.toString());
                event = null;
            }
            outcome = event == null ? NotificationSender.Outcome.DROPPED : sender.deliver(event);
        }
        registry.counter("kiku.bot.notifications", "outcome", outcome.name().toLowerCase()).increment();
        if (outcome != NotificationSender.Outcome.RETRY_LATER) {
            streams.xack(STREAM, config.group(), message.id());
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "bot-" + UUID.randomUUID();
        }
    }
}
