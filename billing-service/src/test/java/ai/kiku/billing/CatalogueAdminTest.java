package ai.kiku.billing;

import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Operators change the catalogue through the admin API: validated, audited in the same transaction, republished. */
@QuarkusTest
class CatalogueAdminTest extends BillingTestBase {

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String published() {
        return redis("GET", KeySchema.CATALOGUE).toString();
    }

    /** The newest audit entries about one key, newest first. */
    private List<Map<String, Object>> auditOf(String key) {
        return admin().get("/admin/v1/catalogue/audit?limit=1000").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("entries").stream().filter(e -> key.equals(e.get("key"))).toList();
    }

    @Test
    void shouldCreateRepriceAndRetireAModelLeavingAnAuditTrail() {
        String model = unique("audit-model");
        admin().header("X-Operator", "ann@kiku.ai").body(Map.of("productId", "llm-proxy", "inputPerMillionMicros", 1_000_000,
                        "outputPerMillionMicros", 2_000_000, "maxOutputTokens", 4096))
                .put("/admin/v1/catalogue/models/" + model).then().statusCode(200)
                .body("model", equalTo(model)).body("inputPerMillionMicros", equalTo(1_000_000));
        assertThat(published()).as("republished to Redis at once").contains("\"" + model + "\"");
        admin().body(Map.of("productId", "llm-proxy", "inputPerMillionMicros", 3_000_000,
                        "outputPerMillionMicros", 6_000_000, "maxOutputTokens", 8192))
                .put("/admin/v1/catalogue/models/" + model).then().statusCode(200);
        JsonPath catalogue = asApi().get("/internal/v1/catalogue").then().statusCode(200).extract().jsonPath();
        assertThat(catalogue.getLong("models.find { it.model == '" + model + "' }.inputPerMillionMicros"))
                .isEqualTo(3_000_000);
        assertThat(sqlLong("SELECT output_per_million_micros FROM model_prices WHERE model = $1", model))
                .isEqualTo(6_000_000);
        assertThat(published()).contains("\"outputPerMillionMicros\":6000000");

        admin().delete("/admin/v1/catalogue/models/" + model).then().statusCode(200);
        assertThat(published()).doesNotContain(model);
        admin().delete("/admin/v1/catalogue/models/" + model).then().statusCode(404);

        List<Map<String, Object>> audit = auditOf(model);
        assertThat(audit).extracting(e -> e.get("action")).containsExactly("retire", "update", "create");
        assertThat(audit).extracting(e -> e.get("entity")).containsOnly("model");
        assertThat(audit).extracting(e -> e.get("changedBy"))
                .containsExactly("admin-token", "admin-token", "admin-token (says: ann@kiku.ai)");
        Map<String, Object> update = audit.get(1);
        assertThat(update.get("oldValue")).asString().contains("inputPerMillionMicros=1000000");
        assertThat(update.get("newValue")).asString().contains("inputPerMillionMicros=3000000", "maxOutputTokens=8192");
        assertThat(audit.get(0).get("newValue")).isNull();
        assertThat(audit.get(2).get("oldValue")).isNull();
        assertThat(audit.get(0).get("changedAt")).isNotNull();
    }

    @Test
    void shouldManageProductsAndCreditPacksByTheirKeys() {
        String product = unique("audit-product");
        admin().body(Map.of("name", "Embeddings", "description", "vectors", "pricePerRequestMicros", 500))
                .put("/admin/v1/catalogue/products/" + product).then().statusCode(200).body("active", equalTo(true));
        String pack = unique("pri_test");
        admin().body(Map.of("name", "$7 of credits", "creditsMicros", 7_000_000, "priceLabel", "USD 7.00"))
                .put("/admin/v1/catalogue/credit-packs/" + pack).then().statusCode(200);
        JsonPath catalogue = internal().get("/internal/v1/catalogue").then().statusCode(200).extract().jsonPath();
        assertThat(catalogue.getLong("creditPacks.find { it.paddlePriceId == '" + pack + "' }.creditsMicros"))
                .isEqualTo(7_000_000);
        assertThat(catalogue.getLong("products.find { it.productId == '" + product + "' }.pricePerRequestMicros"))
                .isEqualTo(500);

        admin().delete("/admin/v1/catalogue/credit-packs/" + pack).then().statusCode(200).body("active", equalTo(false));
        admin().delete("/admin/v1/catalogue/products/" + product).then().statusCode(200);
        catalogue = internal().get("/internal/v1/catalogue").then().statusCode(200).extract().jsonPath();
        assertThat(catalogue.getList("creditPacks.paddlePriceId")).doesNotContain(pack);
        assertThat(catalogue.getList("products.productId")).doesNotContain(product);
        assertThat(auditOf(pack)).extracting(e -> e.get("action")).containsExactly("retire", "create");
        assertThat(auditOf(product)).extracting(e -> e.get("entity")).containsOnly("product");

        admin().body(Map.of("name", "$7 of credits", "creditsMicros", 7_000_000, "priceLabel", "USD 7.00"))
                .put("/admin/v1/catalogue/credit-packs/" + pack).then().statusCode(200).body("active", equalTo(true));
        assertThat(auditOf(pack)).extracting(e -> e.get("action")).containsExactly("update", "retire", "create");
        admin().delete("/admin/v1/catalogue/credit-packs/" + pack).then().statusCode(200); // others count the packs
    }

    @Test
    void shouldRefuseInvalidChangesNamingTheFieldAndWriteNothing() {
        long audited = sqlLong("SELECT count(*) FROM catalogue_audit");
        String model = unique("bad-model");
        String path = "/admin/v1/catalogue/models/" + model;
        Map<String, Object> good = Map.of("productId", "llm-proxy", "inputPerMillionMicros", 1,
                "outputPerMillionMicros", 1, "maxOutputTokens", 10);
        record Bad(Map<String, Object> changes, String field) {
        }
        for (Bad bad : List.of(new Bad(Map.of("inputPerMillionMicros", -1), "inputPerMillionMicros"),
                new Bad(Map.of("outputPerMillionMicros", 1.5), "outputPerMillionMicros"),
                new Bad(Map.of("productId", "no-such-product"), "productId"),
                new Bad(Map.of("productId", "bad id"), "productId"),
                new Bad(Map.of("maxOutputTokens", 0), "maxOutputTokens"))) {
            Map<String, Object> body = new java.util.HashMap<>(good);
            body.putAll(bad.changes());
            admin().body(body).put(path).then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo(bad.field()));
        }
        admin().body(Map.of("productId", "llm-proxy")).put(path).then().statusCode(400)
                .body("field", equalTo("inputPerMillionMicros"));
        admin().body(good).put("/admin/v1/catalogue/models/has%20space").then().statusCode(400)
                .body("field", equalTo("model"));
        admin().body(Map.of("name", "x", "priceLabel", "USD 0", "creditsMicros", 0))
                .put("/admin/v1/catalogue/credit-packs/" + unique("pri")).then().statusCode(400)
                .body("field", equalTo("creditsMicros"));
        admin().body(Map.of("pricePerRequestMicros", 5)).put("/admin/v1/catalogue/products/" + unique("p"))
                .then().statusCode(400).body("field", equalTo("name"));
        admin().header("X-Operator", "o".repeat(101)).body(good).put(path).then().statusCode(400)
                .body("field", equalTo("X-Operator"));
        admin().delete("/admin/v1/catalogue/products/" + unique("never")).then().statusCode(404);
        admin().get("/admin/v1/catalogue/audit?limit=0").then().statusCode(400).body("field", equalTo("limit"));
        given().contentType("application/json").body(good).put(path).then().statusCode(401);

        assertThat(sqlLong("SELECT count(*) FROM model_prices WHERE model = $1", model)).isZero();
        assertThat(sqlLong("SELECT count(*) FROM catalogue_audit")).isEqualTo(audited);
    }

    /** The audit row is written in the change's transaction: when it cannot be written, the change is not made. */
    @Test
    void shouldNotChangeThePriceWhenItsAuditRowCannotBeWritten() {
        String model = unique("atomic-model");
        sql("CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.entity_key LIKE 'atomic-model-%' THEN RAISE EXCEPTION 'audit refused'; END IF; "
                + "RETURN NEW; END $$");
        sql("CREATE TRIGGER test_refuse_audit BEFORE INSERT ON catalogue_audit FOR EACH ROW "
                + "EXECUTE FUNCTION test_refuse_audit()");
        try {
            admin().body(Map.of("productId", "llm-proxy", "inputPerMillionMicros", 1, "outputPerMillionMicros", 1,
                    "maxOutputTokens", 10)).put("/admin/v1/catalogue/models/" + model).then()
                    .statusCode(org.hamcrest.Matchers.greaterThanOrEqualTo(500));
        } finally {
            sql("DROP TRIGGER IF EXISTS test_refuse_audit ON catalogue_audit");
        }
        assertThat(sqlLong("SELECT count(*) FROM model_prices WHERE model = $1", model)).isZero();
        assertThat(published()).doesNotContain(model);
    }

    private void sql(String statement) {
        pool.query(statement).execute().await().indefinitely();
    }

    private static io.restassured.specification.RequestSpecification given() {
        return io.restassured.RestAssured.given();
    }
}
