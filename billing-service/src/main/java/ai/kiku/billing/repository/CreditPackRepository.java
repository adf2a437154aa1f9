package ai.kiku.billing.repository;

import ai.kiku.billing.entity.CreditPackEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code credit_packs}: the credits each Paddle price grants. */
@ApplicationScoped
public class CreditPackRepository implements PanacheRepositoryBase<CreditPackEntity, String> {
}
