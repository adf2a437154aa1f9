package ai.kiku.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How the bot reaches Telegram and how Telegram reaches the bot. */
@ConfigMapping(prefix = "kiku.telegram")
public interface TelegramConfig {

    /** Bot API token from @BotFather; absent → local stand-in (when enabled) or no outbound messages. */
    Optional<String> botToken();

    /** Secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token; required with a real token. */
    Optional<String> webhookSecret();

    /** Base of the Bot API; pengrad appends {@code <token>/<method>}. */
    @WithDefault("https://api.telegram.org/bot")
    String apiUrl();

    /** Public HTTPS base of this service; when set (with a token), setWebhook is called at startup. */
    Optional<String> publicUrl();

    /** How long an update_id is remembered for dedupe (Telegram retries for up to a day). */
    @WithDefault("24h")
    Duration updateDedupeTtl();

    /** Worker threads handling updates; updates of one chat always go to the same worker, in order. */
    @WithDefault("4")
    int workers();

    /** Updates queued per worker before the webhook answers 503 (Telegram then retries). */
    @WithDefault("256")
    int queuePerWorker();

    /** Attempts of one Bot API call before giving up (429 and 5xx/network errors are retried). */
    @WithDefault("4")
    int sendAttempts();

    /** First retry delay; doubles per attempt. */
    @WithDefault("500ms")
    Duration retryBackoff();

    /** Longest wait between attempts, also the cap on a 429 retry_after honoured in-line. */
    @WithDefault("30s")
    Duration maxRetryWait();
}
