package ai.kiku.billing.repository;

import ai.kiku.billing.entity.ModelPriceEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code model_prices}: the token prices of each model. */
@ApplicationScoped
public class ModelPriceRepository implements PanacheRepositoryBase<ModelPriceEntity, String> {
}
