package ai.kiku.bot.service;

import ai.kiku.bot.config.NotifyConfig;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.lifecycle.ShutdownDeadline;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.stream.ConsumerSettings;
import ai.kiku.common.stream.GroupConsumer;
import ai.kiku.common.stream.ReadPlan;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.stream.StreamEntry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Reads billing's {@code kiku:notify} stream in consumer group {@code bot} with common's
 * {@link GroupConsumer}: new entries with XREADGROUP BLOCK, entries left pending by a dead or unlucky
 * consumer with XAUTOCLAIM. An entry is acknowledged only once its message was sent (or can never be);
 * one the sender must retry later (Telegram's rate limit, a lease held elsewhere) stays pending.
 */
@Singleton
public class NotifyConsumer {

    private static final Logger LOG = Logger.getLogger(NotifyConsumer.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    /** A loop that has not gone round for this long past its read's block is wedged. */
    private static final Duration STALL = Duration.ofMinutes(5);

    private final NotificationSender sender;
    private final NotifyConfig config;
    private final MeterRegistry registry;
    private final GroupConsumer loop;

    public NotifyConsumer(Redis redis, NotificationSender sender, NotifyConfig config, MeterRegistry registry) {
        this.sender = sender;
        this.config = config;
        this.registry = registry;
        String consumer = config.consumer().filter(c -> !c.isBlank()).orElseGet(NotifyConsumer::hostName);
        ConsumerSettings settings = new ConsumerSettings(config.group(), consumer, config.batch(), config.block(),
                config.claimIdle(), config.claimInterval(), Duration.ZERO, Duration.ofSeconds(10), CALL_TIMEOUT,
                Optional.empty());
        this.loop = new GroupConsumer("bot-notify", new StreamClient(redis), List.of(KeySchema.NOTIFY_STREAM),
                settings, ReadPlan.everyRound(config.batch()), this::handleAll);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("notification consumer disabled (kiku.notify.enabled=false)");
            return;
        }
        loop.start();
        LOG.infof("consuming %s as %s/%s", KeySchema.NOTIFY_STREAM, config.group(), loop.consumerName());
    }

    void onStop(@Observes ShutdownEvent event, ShutdownDeadline deadline) {
        loop.stop(deadline.remaining());
    }

    /** For the liveness check: the loop went round recently (or is off). */
    public boolean healthy() {
        return loop.live(config.block().plus(STALL));
    }

    private List<String> handleAll(String stream, List<StreamEntry> entries, BooleanSupplier stopping) {
        List<String> finished = new ArrayList<>(entries.size());
        for (StreamEntry entry : entries) {
            if (stopping.getAsBoolean()) {
                break;
            }
            if (handle(entry) != NotificationSender.Outcome.RETRY_LATER) {
                finished.add(entry.id());
            }
        }
        return finished;
    }

    private NotificationSender.Outcome handle(StreamEntry entry) {
        NotificationSender.Outcome outcome;
        if (entry.deleted() || entry.fields().isEmpty()) {
            outcome = NotificationSender.Outcome.DROPPED; // trimmed away while pending
        } else {
            NotifyEvent event;
            try {
                event = NotifyEvent.fromFields(entry.fields());
            } catch (RuntimeException e) {
                LOG.warnf("notify entry %s is malformed, dropped: %s", entry.id(), e.toString());
                event = null;
            }
            outcome = event == null ? NotificationSender.Outcome.DROPPED : sender.deliver(event);
        }
        registry.counter("kiku.bot.notifications", "outcome", outcome.name().toLowerCase()).increment();
        return outcome;
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
