package ai.kiku.billing;

import ai.kiku.testing.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Inputs a fuzzer found to get a 5xx, a write or a dropped connection from billing. */
@QuarkusTest
class BadInputTest extends BillingTestBase {

    @Test
    void shouldRefuseARepeatedFieldNamingItAndCreateNothing() {
        long accounts = sqlLong("SELECT count(*) FROM accounts");
        long tg = newTelegramUser();
        admin().body("{\"displayName\":\"a\",\"displayName\":\"b\",\"telegramUserId\":" + tg + ",\"displayName\":\"c\"}")
                .post("/admin/v1/accounts").then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("status", equalTo(400)).body("field", equalTo("displayName"));
        admin().body("{\"telegramUserId\":" + tg + ",\"telegramUserId\":" + (tg + 1) + "}")
                .post("/admin/v1/accounts").then().statusCode(400).body("field", equalTo("telegramUserId"));
        assertThat(sqlLong("SELECT count(*) FROM accounts")).isEqualTo(accounts);
    }

    @Test
    void shouldRefuseJsonWithTrailingGarbageAndCreditNothing() {
        long account = createAccount();
        for (String tail : new String[]{" x", "}", " {}", "]", " 1"}) {
            admin().body("{\"amountMicros\":5,\"reason\":\"r\",\"idempotencyKey\":\"trailing" + tail.hashCode() + "\"}" + tail)
                    .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(400)
                    .contentType(startsWith("application/problem+json")).body("field", equalTo("body"));
        }
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isZero();
        assertThat(redisBalance(account)).isZero();
    }

    @Test
    void shouldAnswerALargeFormLikeASmallOne() {
        for (String value : new String[]{"x", "a".repeat(20_000)}) {
            admin().contentType("application/x-www-form-urlencoded").body("telegramUserId=" + value)
                    .post("/admin/v1/accounts").then().statusCode(415).contentType(startsWith("application/problem+json"));
            given().auth().oauth2(ADMIN).multiPart("telegramUserId", value)
                    .post("/admin/v1/accounts").then().statusCode(415).contentType(startsWith("application/problem+json"));
            // the media type is checked before the token here (RESTEasy matches the resource first)
            given().contentType("application/x-www-form-urlencoded").body("telegramUserId=" + value)
                    .post("/admin/v1/accounts").then().statusCode(415).contentType(startsWith("application/problem+json"));
        }
    }

    @Test
    void shouldAnswer431ToHeadersTooLargeForTheServer() throws Exception {
        RawHttp.assertHeadersTooLargeGet431(RestAssured.port, "/admin/v1/catalogue");
    }

    @Test
    void shouldReadBearerTokensByTheSharedRule() {
        for (String accepted : new String[]{"Bearer " + ADMIN, "bearer " + ADMIN, "BEARER " + ADMIN, "Bearer  " + ADMIN}) {
            given().header("Authorization", accepted).get("/admin/v1/catalogue").then().statusCode(200);
        }
        for (String refused : new String[]{"Bearer\t" + ADMIN, "Bearer \t" + ADMIN, "Bearer " + ADMIN + " x",
                "Bearer" + ADMIN, "Basic " + ADMIN}) {
            given().header("Authorization", refused).get("/admin/v1/catalogue").then().statusCode(401)
                    .contentType(startsWith("application/problem+json"));
        }
        given().header("Authorization", "Bearer \t" + INTERNAL).get("/internal/v1/catalogue").then().statusCode(401);
        given().header("Authorization", "bearer  " + INTERNAL).get("/internal/v1/catalogue").then().statusCode(200);
    }

    @Test
    void shouldRefuseABodyOfTheWrongMediaTypeWithAProblem() {
        given().auth().oauth2(ADMIN).contentType(ContentType.TEXT).body(Map.of("a", 1).toString())
                .post("/admin/v1/accounts").then().statusCode(415).contentType(startsWith("application/problem+json"));
    }
}
