package ai.kiku.common.money;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Timing of holds in the money core. */
@ConfigMapping(prefix = "kiku.money")
public interface MoneyConfig {

    /** How long an unsettled hold locks money; well beyond the longest request may run. */
    @WithDefault("15m")
    Duration holdTtl();

    /**
     * How long a closed hold is remembered, so that a repeated settle or release is a no-op. Every
     * metered call leaves one such record (~220 bytes of Redis across the holds hash and expiry
     * zset), so this bounds memory: at 1,000 calls/s, 30 minutes is ~400 MB where 24 hours was
     * ~19 GB. It only has to outlast a repeat: the gateway's own retries end within 30 seconds,
     * and a command delayed in a dead TCP connection gives up after ~15 minutes (tcp_retries2).
     */
    @WithDefault("30m")
    Duration holdRetention();
}
