package ai.kiku.billing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code credit_packs}: the credits a Paddle price grants per unit bought. */
@Entity
@Table(name = "credit_packs")
public class CreditPackEntity {

    @Id
    @Column(name = "paddle_price_id")
    public String paddlePriceId;

    public String name;

    @Column(name = "credits_micros")
    public long creditsMicros;

    @Column(name = "price_label")
    public String priceLabel;

    public boolean active;
}
