package ai.kiku.billing.repository;

import ai.kiku.common.contract.Catalogue;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.stream.Collectors;

/** Reads the active catalogue (products, model_prices, credit_packs) in one session. */
@ApplicationScoped
public class CatalogueRepository {

    private final ProductRepository products;
    private final ModelPriceRepository models;
    private final CreditPackRepository packs;
    private final Transactions tx;

    public CatalogueRepository(ProductRepository products, ModelPriceRepository models, CreditPackRepository packs,
                               Transactions tx) {
        this.products = products;
        this.models = models;
        this.packs = packs;
        this.tx = tx;
    }

    /** One statement after the other: a session runs one at a time. */
    public Uni<Catalogue> load() {
        return tx.session(() -> products.list("active = true order by productId").flatMap(ps -> {
            Set<String> active = ps.stream().map(p -> p.productId).collect(Collectors.toSet());
            return models.list("order by model").flatMap(ms -> packs.list("active = true order by creditsMicros, "
                    + "paddlePriceId").map(cs -> new Catalogue(
                    ps.stream().map(p -> new Catalogue.Product(p.productId, p.name, p.description,
                            p.pricePerRequestMicros)).toList(),
                    ms.stream().filter(m -> active.contains(m.productId)).map(m -> new Catalogue.ModelPrice(m.model,
                            m.productId, m.inputPerMillionMicros, m.outputPerMillionMicros, m.maxOutputTokens))
                            .toList(),
                    cs.stream().map(c -> new Catalogue.CreditPack(c.paddlePriceId, c.name, c.creditsMicros,
                            c.priceLabel)).toList())));
        }));
    }
}
