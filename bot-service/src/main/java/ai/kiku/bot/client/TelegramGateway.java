package ai.kiku.bot.client;

import ai.kiku.bot.config.BotSetup;
import ai.kiku.bot.config.TelegramConfig;
import com.pengrad.telegrambot.TelegramBot;
import com.pengrad.telegrambot.request.BaseRequest;
import com.pengrad.telegrambot.response.BaseResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Every outbound Bot API call goes through here: the real pengrad client (pointed at
 * {@code kiku.telegram.api-url} or the stand-in), bounded retries with exponential backoff, and
 * Telegram's 429 {@code retry_after} honoured. Blocking: call it from worker threads only.
 */
@ApplicationScoped
public class TelegramGateway {

    private static final Logger LOG = Logger.getLogger(TelegramGateway.class);

    private final BotSetup setup;
    private final TelegramConfig config;
    private final MeterRegistry registry;
    private volatile TelegramBot bot;

    public TelegramGateway(BotSetup setup, TelegramConfig config, MeterRegistry registry) {
        this.setup = setup;
        this.config = config;
        this.registry = registry;
    }

    /**
     * Executes {@code request}, retrying 429/5xx/network failures up to {@code kiku.telegram.send-attempts}.
     *
     * @throws TelegramFailure when it did not succeed (permanent or attempts exhausted)
     */
    public <T extends BaseRequest<T, R>, R extends BaseResponse> R call(BaseRequest<T, R> request) {
        String method = request.getMethod();
        int attempts = Math.max(1, config.sendAttempts());
        TelegramFailure last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long waitMs;
            try {
                R response = bot().execute(request);
                if (response != null && response.isOk()) {
                    count(method, "ok");
                    return response;
                }
                int code = response == null ? 0 : response.errorCode();
                String description = response == null ? "empty response" : response.description();
                Integer retryAfter = response == null || response.parameters() == null ? null
                        : response.parameters().retryAfter();
                if (code == 429) {
                    waitMs = retryAfter == null ? backoffMs(attempt) : retryAfter * 1000L;
                } else if (code >= 500 || code == 0) {
                    waitMs = backoffMs(attempt);
                } else {
                    count(method, "rejected");
                    throw new TelegramFailure(method + " rejected: " + code + " " + description, code, true);
                }
                last = new TelegramFailure(method + " failed: " + code + " " + description, code, false);
            } catch (TelegramFailure e) {
                throw e;
            } catch (RuntimeException e) {
                // pengrad wraps IO errors; the message never carries the URL path (and so not the token),
                // but redact anyway in case a future version changes that.
                last = new TelegramFailure(method + " failed: " + redact(String.valueOf(e.getCause() != null
                        ? e.getCause() : e)), 0, false);
                waitMs = backoffMs(attempt);
            }
            if (attempt == attempts || waitMs > config.maxRetryWait().toMillis()) {
                break;
            }
            count(method, "retry");
            LOG.debugf("%s; retrying in %d ms (attempt %d of %d)", last.getMessage(), waitMs, attempt, attempts);
            sleep(waitMs);
        }
        count(method, "failed");
        throw last;
    }

    private long backoffMs(int attempt) {
        long base = Math.max(1, config.retryBackoff().toMillis());
        long delay = base << Math.min(attempt - 1, 20);
        return Math.min(delay, config.maxRetryWait().toMillis());
    }

    private TelegramBot bot() {
        TelegramBot current = bot;
        if (current == null) {
            synchronized (this) {
                if (bot == null) {
                    if (!setup.canSend()) {
                        throw new TelegramFailure("no Telegram bot token configured (kiku.telegram.bot-token)", 0, true);
                    }
                    bot = new TelegramBot.Builder(setup.token()).apiUrl(setup.apiUrl()).build();
                }
                current = bot;
            }
        }
        return current;
    }

    private String redact(String text) {
        String token = setup.token();
        return token == null || text == null ? text : text.replace(token, "<token>");
    }

    private void count(String method, String outcome) {
        registry.counter("kiku.bot.telegram.calls", "method", method, "outcome", outcome).increment();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TelegramFailure("interrupted while waiting to retry", 0, false);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        TelegramBot current = bot;
        if (current != null) {
            current.shutdown();
        }
    }
}
