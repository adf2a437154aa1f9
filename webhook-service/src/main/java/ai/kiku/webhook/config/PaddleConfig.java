package ai.kiku.webhook.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Paddle settings: webhook verification and the Paddle API used to create checkouts. */
@ConfigMapping(prefix = "kiku.paddle")
public interface PaddleConfig {

    /**
     * Endpoint secrets of the Paddle notification destination(s); a delivery is accepted when it
     * verifies with any of them, so a secret can be rotated without downtime.
     */
    Optional<List<String>> webhookSecrets();

    /** Oldest acceptable signature timestamp; {@code 0} switches the check off (replaying archives). */
    @WithDefault("5s")
    Duration signatureMaxAge();

    /** Largest webhook body accepted; bigger deliveries get 413 and are not stored. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** Paddle API key (server-side, {@code pdl_live_...} / {@code pdl_sdbx_...}); absent: no real checkouts. */
    Optional<String> apiKey();

    /** Paddle API base URL ({@code https://sandbox-api.paddle.com} for the sandbox). */
    @WithDefault("https://api.paddle.com")
    String apiUrl();

    /** Timeout of one Paddle API call. */
    @WithDefault("5s")
    Duration apiTimeout();

    /**
     * Optional checkout page on an approved domain that loads Paddle.js; when absent Paddle uses
     * the default payment link of the account.
     */
    Optional<String> checkoutUrl();
}
