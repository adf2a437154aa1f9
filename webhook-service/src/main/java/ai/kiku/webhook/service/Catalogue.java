package ai.kiku.webhook.service;

import ai.kiku.webhook.client.BillingClient;
import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.webhook.config.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Credit packs by Paddle price id, fetched from billing (the catalogue's owner) and reused for a
 * short while. A price missing from the cached copy triggers one fresh fetch before it is called
 * unknown, so a pack added in billing is honoured at once.
 */
@ApplicationScoped
public class Catalogue {

    private final BillingClient billing;
    private final WebhookConfig config;
    private final Clock clock = Clock.systemUTC();
    private volatile Map<String, CreditPack> packs;
    private volatile long fetchedAt;

    public Catalogue(@RestClient BillingClient billing, WebhookConfig config) {
        this.billing = billing;
        this.config = config;
    }

    /** The pack sold under {@code paddlePriceId}; empty when billing does not know it. */
    public Optional<CreditPack> pack(String paddlePriceId) {
        Map<String, CreditPack> current = packs;
        if (current == null || clock.millis() - fetchedAt > config.catalogueTtl().toMillis()
                || !current.containsKey(paddlePriceId)) {
            current = refresh();
        }
        return Optional.ofNullable(current.get(paddlePriceId));
    }

    private Map<String, CreditPack> refresh() {
        ai.kiku.common.contract.Catalogue view = billing.catalogue();
        Map<String, CreditPack> fresh = view == null || view.creditPacks() == null ? Map.of()
                : view.creditPacks().stream().filter(p -> p.paddlePriceId() != null)
                .collect(Collectors.toUnmodifiableMap(CreditPack::paddlePriceId, Function.identity(),
                        (a, b) -> a));
        packs = fresh;
        fetchedAt = clock.millis();
        return fresh;
    }
}
