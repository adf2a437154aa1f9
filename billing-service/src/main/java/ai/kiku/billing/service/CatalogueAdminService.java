package ai.kiku.billing.service;

import ai.kiku.billing.entity.CreditPackEntity;
import ai.kiku.billing.entity.ModelPriceEntity;
import ai.kiku.billing.entity.ProductEntity;
import ai.kiku.billing.model.CatalogueAuditPage;
import ai.kiku.billing.model.CatalogueRequests;
import ai.kiku.billing.repository.CatalogueAuditRepository;
import ai.kiku.billing.repository.CreditPackRepository;
import ai.kiku.billing.repository.ModelPriceRepository;
import ai.kiku.billing.repository.ProductRepository;
import ai.kiku.billing.repository.Transactions;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Operators' changes to the catalogue (products, model prices, credit packs): validated, each written with its
 * {@code catalogue_audit} row in one transaction, then republished to Redis ({@code kiku:catalogue}) at once, from
 * where every api-service instance re-reads it within {@code 2 × kiku.api.catalogue-ttl}. Data only: no migration.
 * The {@code actor} of each change is the verified operator as {@link ai.kiku.billing.rest.AdminOperator} records it.
 */
@ApplicationScoped
public class CatalogueAdminService {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final int MAX_OUTPUT_TOKENS = 10_000_000;

    private final ProductRepository products;
    private final ModelPriceRepository models;
    private final CreditPackRepository packs;
    private final CatalogueAuditRepository audit;
    private final CatalogueService catalogue;
    private final Transactions tx;
    private final ObjectMapper json;

    public CatalogueAdminService(ProductRepository products, ModelPriceRepository models, CreditPackRepository packs,
                                 CatalogueAuditRepository audit, CatalogueService catalogue, Transactions tx,
                                 ObjectMapper json) {
        this.products = products;
        this.models = models;
        this.packs = packs;
        this.audit = audit;
        this.catalogue = catalogue;
        this.tx = tx;
        this.json = json;
    }

    public Uni<Map<String, Object>> putProduct(String actor, String productId, CatalogueRequests.PutProduct body) {
        String id = id("productId", productId);
        Check.body(body);
        String name = Check.text("name", body.name(), 200);
        String description = Check.optionalText("description", body.description(), 1000);
        long price = price("pricePerRequestMicros", body.pricePerRequestMicros());
        return change(actor, "product", id, () -> upsert(products, id, ProductEntity::new, e -> {
            e.productId = id;
            e.name = name;
            e.description = description;
            e.pricePerRequestMicros = price;
            e.active = true;
        }, CatalogueAdminService::view));
    }

    public Uni<Map<String, Object>> retireProduct(String actor, String productId) {
        String id = id("productId", productId);
        return change(actor, "product", id, () -> deactivate(products, id, "active product " + id,
                p -> p.active, p -> p.active = false, CatalogueAdminService::view));
    }

    public Uni<Map<String, Object>> putModel(String actor, String model, CatalogueRequests.PutModel body) {
        String id = id("model", model);
        Check.body(body);
        String productId = id("productId", body.productId());
        long in = price("inputPerMillionMicros", body.inputPerMillionMicros());
        long out = price("outputPerMillionMicros", body.outputPerMillionMicros());
        Integer max = Check.required("maxOutputTokens", body.maxOutputTokens());
        if (max < 1 || max > MAX_OUTPUT_TOKENS) {
            throw ProblemException.badRequest("maxOutputTokens", "maxOutputTokens must be from 1 to " + MAX_OUTPUT_TOKENS);
        }
        return change(actor, "model", id, () -> products.findById(productId).flatMap(product -> {
            if (product == null || !product.active) {
                throw ProblemException.badRequest("productId", "productId must name an active product");
            }
            return upsert(models, id, ModelPriceEntity::new, e -> {
                e.model = id;
                e.productId = productId;
                e.inputPerMillionMicros = in;
                e.outputPerMillionMicros = out;
                e.maxOutputTokens = max;
            }, CatalogueAdminService::view);
        }));
    }

    /** A model has no active flag: retiring it deletes its price row (the audit keeps it). */
    public Uni<Map<String, Object>> retireModel(String actor, String model) {
        String id = id("model", model);
        return change(actor, "model", id, () -> models.findById(id).flatMap(m -> {
            if (m == null) {
                throw ProblemException.notFound("model " + id);
            }
            Map<String, Object> old = view(m);
            return models.delete(m).replaceWith(new Change(old, null));
        }));
    }

    public Uni<Map<String, Object>> putCreditPack(String actor, String paddlePriceId,
                                                  CatalogueRequests.PutCreditPack body) {
        String id = id("paddlePriceId", paddlePriceId);
        Check.body(body);
        String name = Check.text("name", body.name(), 200);
        String label = Check.text("priceLabel", body.priceLabel(), 100);
        long credits = Check.positive("creditsMicros", body.creditsMicros());
        if (credits > Micros.MAX_AMOUNT) {
            throw ProblemException.badRequest("creditsMicros", "creditsMicros must be at most " + Micros.MAX_AMOUNT);
        }
        return change(actor, "credit_pack", id, () -> upsert(packs, id, CreditPackEntity::new, e -> {
            e.paddlePriceId = id;
            e.name = name;
            e.creditsMicros = credits;
            e.priceLabel = label;
            e.active = true;
        }, CatalogueAdminService::view));
    }

    public Uni<Map<String, Object>> retireCreditPack(String actor, String paddlePriceId) {
        String id = id("paddlePriceId", paddlePriceId);
        return change(actor, "credit_pack", id, () -> deactivate(packs, id, "active credit pack " + id,
                c -> c.active, c -> c.active = false, CatalogueAdminService::view));
    }

    /** Creates row {@code id} ({@code fresh}) or takes the existing one, sets its fields ({@code fill}): before and after. */
    private static <E> Uni<Change> upsert(PanacheRepositoryBase<E, String> repository, String id, Supplier<E> fresh,
                                          Consumer<E> fill, Function<E, Map<String, Object>> view) {
        return repository.findById(id).flatMap(found -> {
            Map<String, Object> before = found == null ? null : view.apply(found);
            E row = found == null ? fresh.get() : found;
            fill.accept(row);
            return (found == null ? repository.persist(row) : Uni.createFrom().item(row))
                    .replaceWith(new Change(before, view.apply(row)));
        });
    }

    /** Marks the active row {@code id} inactive; a missing or inactive one is a 404 naming {@code what}. */
    private static <E> Uni<Change> deactivate(PanacheRepositoryBase<E, String> repository, String id, String what,
                                              Predicate<E> active, Consumer<E> retire,
                                              Function<E, Map<String, Object>> view) {
        return repository.findById(id).map(found -> {
            if (found == null || !active.test(found)) {
                throw ProblemException.notFound(what);
            }
            Map<String, Object> before = view.apply(found);
            retire.accept(found);
            return new Change(before, view.apply(found));
        });
    }

    public Uni<CatalogueAuditPage> audit(Long before, Integer limit) {
        int n = limit == null ? 100 : limit;
        if (n < 1 || n > 1000) {
            throw ProblemException.badRequest("limit", "limit must be from 1 to 1000");
        }
        return audit.page(before, n).map(rows -> new CatalogueAuditPage(rows.stream().map(r ->
                new CatalogueAuditPage.Entry(r.auditId(), r.changedAt(), r.changedBy(), r.entity(), r.key(),
                        r.action(), node(r.oldValue()), node(r.newValue()))).toList(),
                rows.size() == n ? rows.get(rows.size() - 1).auditId() : null));
    }

    /** A row before and after the change (null: none). */
    private record Change(Map<String, Object> before, Map<String, Object> after) {
    }

    /** Runs the change and writes its audit row in one transaction, then republishes the catalogue. */
    private Uni<Map<String, Object>> change(String actor, String entity, String key, Supplier<Uni<Change>> work) {
        return tx.transaction(() -> work.get().flatMap(c -> {
            if (c.before() != null && c.before().equals(c.after())) {
                return Uni.createFrom().item(c); // nothing changed: nothing to audit
            }
            String action = c.before() == null ? "create" : c.after() == null || Boolean.FALSE.equals(c.after().get("active"))
                    ? "retire" : "update";
            return audit.record(actor, entity, key, action, text(c.before()), text(c.after())).replaceWith(c);
        })).call(c -> catalogue.refresh()).map(c -> c.after() != null ? c.after() : c.before());
    }

    private static String id(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw ProblemException.badRequest(field, field + " must be 1 to 128 letters, digits or . _ : - "
                    + "(starting with a letter or digit)");
        }
        return value;
    }

    private static long price(String field, Long value) {
        Check.required(field, value);
        if (value < 0 || value > Micros.MAX_AMOUNT) {
            throw ProblemException.badRequest(field, field + " must be an integer count of micro-USD from 0 to "
                    + Micros.MAX_AMOUNT);
        }
        return value;
    }

    private static Map<String, Object> view(ProductEntity p) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("productId", p.productId);
        v.put("name", p.name);
        v.put("description", p.description);
        v.put("pricePerRequestMicros", p.pricePerRequestMicros);
        v.put("active", p.active);
        return v;
    }

    private static Map<String, Object> view(ModelPriceEntity m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("model", m.model);
        v.put("productId", m.productId);
        v.put("inputPerMillionMicros", m.inputPerMillionMicros);
        v.put("outputPerMillionMicros", m.outputPerMillionMicros);
        v.put("maxOutputTokens", m.maxOutputTokens);
        return v;
    }

    private static Map<String, Object> view(CreditPackEntity c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("paddlePriceId", c.paddlePriceId);
        v.put("name", c.name);
        v.put("creditsMicros", c.creditsMicros);
        v.put("priceLabel", c.priceLabel);
        v.put("active", c.active);
        return v;
    }

    private String text(Map<String, Object> value) {
        try {
            return value == null ? null : json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode node(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
