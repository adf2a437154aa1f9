package ai.kiku.bot.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Resolves, once, which Telegram the bot talks to: the real Bot API with a token, the in-process
 * stand-in of {@code ./kiku up} (local stand-ins on, no token), or nothing (no token, no stand-in).
 */
@Startup
@ApplicationScoped
public class BotSetup {

    /** Token the stand-in Bot API accepts; never a real token. */
    public static final String STANDIN_TOKEN = "100000000:LOCAL-STANDIN";

    private final TelegramConfig telegram;
    private final boolean standin;
    private final String webhookSecret;

    public BotSetup(TelegramConfig telegram,
                    @ConfigProperty(name = "kiku.local-standins", defaultValue = "false") boolean localStandins,
                    @ConfigProperty(name = "kiku.internal.token") Optional<String> internalToken) {
        if (internalToken.filter(t -> !t.isBlank()).isEmpty()) {
            // Fail at startup rather than on the first command: nothing works without billing.
            throw new IllegalStateException("kiku.internal.token (KIKU_INTERNAL_TOKEN) is required");
        }
        this.telegram = telegram;
        Optional<String> token = telegram.botToken().filter(t -> !t.isBlank());
        this.standin = token.isEmpty() && localStandins;
        Optional<String> secret = telegram.webhookSecret().filter(s -> !s.isBlank());
        if (token.isPresent() && secret.isEmpty()) {
            throw new IllegalStateException("kiku.telegram.webhook-secret (KIKU_TELEGRAM_WEBHOOK_SECRET) is required "
                    + "when kiku.telegram.bot-token is set");
        }
        // The stand-in's chat page and the webhook are the same process; a generated secret suffices.
        this.webhookSecret = secret.orElseGet(() -> standin ? randomSecret() : null);
    }

    /** True when the in-process fake Bot API and chat page are served and used. */
    public boolean standin() {
        return standin;
    }

    /** True when outbound Bot API calls can be made at all. */
    public boolean canSend() {
        return standin || telegram.botToken().filter(t -> !t.isBlank()).isPresent();
    }

    public String token() {
        return standin ? STANDIN_TOKEN : telegram.botToken().filter(t -> !t.isBlank()).orElse(null);
    }

    /** Null when none is configured: every webhook call is then refused. */
    public String webhookSecret() {
        return webhookSecret;
    }

    /** Base URL given to pengrad; for the stand-in this process's own port, known only once HTTP is up. */
    public String apiUrl() {
        if (!standin) {
            return telegram.apiUrl();
        }
        String portKey = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        int port = ConfigProvider.getConfig().getOptionalValue(portKey, Integer.class).orElse(8081);
        return "http://127.0.0.1:" + port + "/telegram-standin/bot";
    }

    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
