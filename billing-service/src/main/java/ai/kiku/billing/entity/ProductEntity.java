package ai.kiku.billing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code products} (a reference table: small, read everywhere, changed by migrations). */
@Entity
@Table(name = "products")
public class ProductEntity {

    @Id
    @Column(name = "product_id")
    public String productId;

    public String name;

    public String description;

    @Column(name = "price_per_request_micros")
    public long pricePerRequestMicros;

    public boolean active;
}
