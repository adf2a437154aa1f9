package ai.kiku.billing.repository;

import ai.kiku.billing.entity.ProductEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code products}: what is sold, and its price per request. */
@ApplicationScoped
public class ProductRepository implements PanacheRepositoryBase<ProductEntity, String> {
}
