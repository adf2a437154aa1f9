package ai.kiku.billing;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admin calls are made by verified operators: each named operator's own token (kiku.admin.operators.* of the test
 * profile) is who the catalogue audit and the ledger record; X-Operator is only a claim, noted beside the shared
 * token's name and refused when it contradicts a named token.
 */
@QuarkusTest
class AdminOperatorsTest extends BillingTestBase {

    private static final String ALICE = "test-operator-alice-0123456789abcdef";
    private static final Map<String, Object> PRICE = Map.of("productId", "llm-proxy", "inputPerMillionMicros", 1,
            "outputPerMillionMicros", 2, "maxOutputTokens", 10);

    private static RequestSpecification as(String token) {
        return RestAssured.given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static String model() {
        return "operator-model-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Who the audit says changed this key, newest first. */
    private static List<Object> changedBy(String key) {
        return admin().get("/admin/v1/catalogue/audit?limit=1000").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("entries").stream().filter(e -> key.equals(e.get("key")))
                .map(e -> e.get("changedBy")).toList();
    }

    private String bookedBy(long accountId, String idempotencyKey) {
        RowSet<Row> rows = pool.preparedQuery("SELECT booked_by FROM ledger_entries WHERE account_id = $1 "
                + "AND external_ref = $2").execute(Tuple.of(accountId, "adj:" + idempotencyKey)).await().indefinitely();
        assertThat(rows.size()).as("ledger rows of adjustment %s", idempotencyKey).isEqualTo(1);
        return rows.iterator().next().getString(0);
    }

    @Test
    void shouldAuditACatalogueChangeUnderTheNamedOperatorsToken() {
        String model = model();
        as(ALICE).body(PRICE).put("/admin/v1/catalogue/models/" + model).then().statusCode(200);
        as(ALICE).header("X-Operator", "alice").delete("/admin/v1/catalogue/models/" + model).then().statusCode(200);

        assertThat(changedBy(model)).containsExactly("alice", "alice");
    }

    @Test
    void shouldRecordTheSharedTokensClaimOnlyAsANoteBesideItsName() {
        String model = model();
        admin().header("X-Operator", "alice").body(PRICE).put("/admin/v1/catalogue/models/" + model).then()
                .statusCode(200);
        admin().delete("/admin/v1/catalogue/models/" + model).then().statusCode(200);

        assertThat(changedBy(model)).containsExactly("admin-token", "admin-token (says: alice)");
    }

    @Test
    void shouldRefuseANamedTokenClaimingAnotherOperatorAndChangeNothing() {
        long audited = sqlLong("SELECT count(*) FROM catalogue_audit");
        String model = model();
        as(ALICE).header("X-Operator", "bob").body(PRICE).put("/admin/v1/catalogue/models/" + model).then()
                .statusCode(400).contentType("application/problem+json").body("field", org.hamcrest.Matchers
                        .equalTo("X-Operator"));
        long account = createAccount();
        String key = UUID.randomUUID().toString();
        as(ALICE).header("X-Operator", "admin-token").body(Map.of("amountMicros", 1_000_000, "reason", "lie",
                        "idempotencyKey", key)).post("/admin/v1/accounts/" + account + "/adjustments").then()
                .statusCode(400).contentType("application/problem+json")
                .body("field", org.hamcrest.Matchers.equalTo("X-Operator"));

        assertThat(sqlLong("SELECT count(*) FROM model_prices WHERE model = $1", model)).isZero();
        assertThat(sqlLong("SELECT count(*) FROM catalogue_audit")).isEqualTo(audited);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isZero();
    }

    @Test
    void shouldRecordTheOperatorWhoBookedAnAdjustment() {
        long account = createAccount();
        String byAlice = UUID.randomUUID().toString();
        as(ALICE).body(Map.of("amountMicros", 2_000_000, "reason", "goodwill", "idempotencyKey", byAlice))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        String byShared = UUID.randomUUID().toString();
        admin().header("X-Operator", "carol").body(Map.of("amountMicros", -500_000, "reason", "correction",
                "idempotencyKey", byShared)).post("/admin/v1/accounts/" + account + "/adjustments").then()
                .statusCode(200);

        assertThat(bookedBy(account, byAlice)).isEqualTo("alice");
        assertThat(bookedBy(account, byShared)).isEqualTo("admin-token (says: carol)");
        JsonPath ledger = admin().get("/admin/v1/accounts/" + account + "/ledger").then().statusCode(200)
                .extract().jsonPath();
        assertThat(ledger.getList("entries.bookedBy")).containsExactly("admin-token (says: carol)", "alice");
        JsonPath internal = asBot().get("/internal/v1/accounts/" + account + "/ledger").then().statusCode(200)
                .extract().jsonPath();
        assertThat(internal.<Map<String, Object>>getList("entries")).hasSize(2)
                .allSatisfy(e -> assertThat(e).doesNotContainKey("bookedBy"));
    }

    @Test
    void shouldRefuseAnUnknownTokenWhereAnOperatorsOwnIsAccepted() {
        String model = model();
        String unknown = ALICE.substring(0, ALICE.length() - 1) + "0";
        as(unknown).body(PRICE).put("/admin/v1/catalogue/models/" + model).then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer realm=\"admin\"");
        assertThat(sqlLong("SELECT count(*) FROM model_prices WHERE model = $1", model)).isZero();

        as(ALICE).get("/admin/v1/catalogue").then().statusCode(200);
        as(ALICE).get("/internal/v1/catalogue").then().statusCode(401);
    }
}
