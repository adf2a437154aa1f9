package ai.kiku.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the bot tells its users about the platform. */
@ConfigMapping(prefix = "kiku.bot")
public interface BotConfig {

    /** The OpenAI-compatible base URL shown with a new key (ends in /v1). */
    @WithDefault("http://127.0.0.1:8080/v1")
    String publicApiUrl();
}
