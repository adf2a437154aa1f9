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

    /** How long a closed hold is remembered, so that a repeated settle or release is a no-op. */
    @WithDefault("24h")
    Duration holdRetention();
}
