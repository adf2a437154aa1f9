package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/**
 * The service tokens for {@code /internal/v1/**}: one per calling service, so that each caller is known
 * and held to its own scope (only webhook-service books payments). A caller whose token is unset is refused.
 */
@ConfigMapping(prefix = "kiku.internal")
public interface InternalConfig {

    /** What billing itself would send to others; it calls no internal API, so it only warns when set alone. */
    Optional<String> token();

    /** The token each caller presents. */
    Tokens tokens();

    /** {@code kiku.internal.tokens.api|bot|webhook}. */
    interface Tokens {
        /** api-service's token: catalogue, usage, reading keys. */
        Optional<String> api();

        /** bot-service's token: its user's account, keys, usage; never the ledger's writes. */
        Optional<String> bot();

        /** webhook-service's token: the only one that books payments, refunds and chargebacks. */
        Optional<String> webhook();
    }
}
