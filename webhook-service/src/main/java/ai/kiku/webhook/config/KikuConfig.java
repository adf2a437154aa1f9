package ai.kiku.webhook.config;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Platform-wide settings this service uses: service tokens (its own, and the bot's it accepts) and local stand-ins. Plain properties,
 * not a {@code @ConfigMapping(prefix = "kiku")}: a mapping of the whole {@code kiku.} tree would
 * reject every other service's and the harness's {@code kiku.*} keys as unknown.
 */
@ApplicationScoped
public class KikuConfig {

    private final Optional<String> adminToken;
    private final Optional<String> internalToken;
    private final Optional<String> botToken;
    private final boolean localStandins;

    public KikuConfig(@ConfigProperty(name = "kiku.admin.token") Optional<String> adminToken,
                      @ConfigProperty(name = "kiku.internal.token") Optional<String> internalToken,
                      @ConfigProperty(name = "kiku.internal.tokens.bot") Optional<String> botToken,
                      @ConfigProperty(name = "kiku.local-standins", defaultValue = "false") boolean localStandins) {
        this.adminToken = adminToken.filter(t -> !t.isBlank());
        this.internalToken = internalToken.filter(t -> !t.isBlank());
        this.botToken = botToken.filter(t -> !t.isBlank());
        this.localStandins = localStandins;
    }

    /** Operator token for {@code /admin/v1/**}; absent: every admin call is refused. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    /** This service's own token, sent to billing (whose {@code kiku.internal.tokens.webhook} it must equal). */
    public Optional<String> internalToken() {
        return internalToken;
    }

    /** bot-service's token, the only one accepted on {@code /internal/v1/checkouts}. */
    public Optional<String> botToken() {
        return botToken;
    }

    /** Enables the local Paddle simulator when no Paddle API key is configured. */
    public boolean localStandins() {
        return localStandins;
    }
}
