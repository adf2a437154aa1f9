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
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
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
        return change(actor, "product", id, () -> products.findById(id).flatMap(p -> {
            Map<String, Object> old = p == null ? null : view(p);
            ProductEntity e = p == null ? new ProductEntity() : p;
            e.productId = id;
            e.name = name;
            e.description = description;
            e.pricePerRequestMicros = price;
            e.active = true;
            return (p == null ? products.persist(e) : Uni.createFrom().item(e)).replaceWith(new Change(old, view(e)));
        }));
    }

    public Uni<Map<String, Object>> retireProduct(String actor, String productId) {
        String id = id("productId", productId);
        return change(actor, "product", id, () -> products.findById(id).map(p -> {
            if (p == null || !p.active) {
                throw ProblemException.notFound("active product " + id);
            }
            Map<String, Object> old = view(p);
            p.active = false;
            return new Change(old, view(p));
        }));
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
            return models.findById(id);
        }).flatMap(m -> {
            Map<String, Object> old = m == null ? null : view(m);
            ModelPriceEntity e = m == null ? new ModelPriceEntity() : m;
            e.model = id;
            e.productId = productId;
            e.inputPerMillionMicros = in;
            e.outputPerMillionMicros = out;
            e.maxOutputTokens = max;
            return (m == null ? models.persist(e) : Uni.createFrom().item(e)).replaceWith(new Change(old, view(e)));
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
        return change(actor, "credit_pack", id, () -> packs.findById(id).flatMap(c -> {
            Map<String, Object> old = c == null ? null : view(c);
            CreditPackEntity e = c == null ? new CreditPackEntity() : c;
            e.paddlePriceId = id;
            e.name = name;
            e.creditsMicros = credits;
            e.priceLabel = label;
            e.active = true;
            return (c == null ? packs.persist(e) : Uni.createFrom().item(e)).replaceWith(new Change(old, view(e)));
        }));
    }

    public Uni<Map<String, Object>> retireCreditPack(String actor, String paddlePriceId) {
        String id = id("paddlePriceId", paddlePriceId);
        return change(actor, "credit_pack", id, () -> packs.findById(id).map(c -> {
            if (c == null || !c.active) {
                throw ProblemException.notFound("active credit pack " + id);
            }
            Map<String, Object> old = view(c);
            c.active = false;
            return new Change(old, view(c));
        }));
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
