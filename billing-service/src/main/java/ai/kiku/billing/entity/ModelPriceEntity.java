package ai.kiku.billing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code model_prices}: token prices of a model, per one million tokens, in micro-dollars. */
@Entity
@Table(name = "model_prices")
public class ModelPriceEntity {

    @Id
    public String model;

    @Column(name = "product_id")
    public String productId;

    @Column(name = "input_per_million_micros")
    public long inputPerMillionMicros;

    @Column(name = "output_per_million_micros")
    public long outputPerMillionMicros;

    @Column(name = "max_output_tokens")
    public int maxOutputTokens;
}
