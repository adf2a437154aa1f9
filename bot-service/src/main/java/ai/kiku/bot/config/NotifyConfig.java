package ai.kiku.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The consumer of billing's {@code kiku:notify} stream. */
@ConfigMapping(prefix = "kiku.notify")
public interface NotifyConfig {

    /** Off only for tools/tests that must not consume; on in every deployment. */
    @WithDefault("true")
    boolean enabled();

    /** Consumer group shared by all bot replicas. */
    @WithDefault("bot")
    String group();

    /** This replica's consumer name; default the host name (the pod name on Kubernetes). */
    Optional<String> consumer();

    /** Events fetched per read. */
    @WithDefault("16")
    int batch();

    /** XREADGROUP BLOCK time; below quarkus.redis.timeout. */
    @WithDefault("2s")
    Duration block();

    /** A pending event idle this long (its consumer died or gave up for now) is claimed and retried. */
    @WithDefault("60s")
    Duration claimIdle();

    /** How often pending events are looked for with XAUTOCLAIM. */
    @WithDefault("15s")
    Duration claimInterval();

    /** How long a sent event id is remembered, so a redelivered event is not sent twice. */
    @WithDefault("7d")
    Duration dedupeTtl();

    /** Lease on an event being sent; a crashed sender's lease lapses so that another may retry. */
    @WithDefault("5m")
    Duration sendLease();

    /** Notifications sent per second by this replica, all chats together (Telegram: about 30/s). */
    @WithDefault("30")
    int maxPerSecond();
}
