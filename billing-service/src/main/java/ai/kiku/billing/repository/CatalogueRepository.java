package ai.kiku.billing.repository;

import ai.kiku.common.contract.Catalogue;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads the catalogue tables (products, model_prices, credit_packs). */
@ApplicationScoped
public class CatalogueRepository {

    private final Pool pool;

    public CatalogueRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Catalogue> load() {
        var products = pool.query("SELECT product_id, name, description, price_per_request_micros FROM products "
                        + "WHERE active ORDER BY product_id").execute()
                .map(rows -> Rows.list(rows, r -> new Catalogue.Product(r.getString(0), r.getString(1),
                        r.getString(2), r.getLong(3))));
        var models = pool.query("SELECT m.model, m.product_id, m.input_per_million_micros, m.output_per_million_micros, "
                        + "m.max_output_tokens FROM model_prices m JOIN products p ON p.product_id = m.product_id "
                        + "WHERE p.active ORDER BY m.model").execute()
                .map(rows -> Rows.list(rows, r -> new Catalogue.ModelPrice(r.getString(0), r.getString(1),
                        r.getLong(2), r.getLong(3), r.getInteger(4))));
        var packs = pool.query("SELECT paddle_price_id, name, credits_micros, price_label FROM credit_packs "
                        + "WHERE active ORDER BY credits_micros, paddle_price_id").execute()
                .map(rows -> Rows.list(rows, r -> new Catalogue.CreditPack(r.getString(0), r.getString(1),
                        r.getLong(2), r.getString(3))));
        return Uni.combine().all().unis(products, models, packs).with(Catalogue::new);
    }
}
