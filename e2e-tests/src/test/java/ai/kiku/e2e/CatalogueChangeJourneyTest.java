package ai.kiku.e2e;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's catalogue change through billing's admin API reaches api-service's pricing of new calls
 * within a minute (issue 15, "Catalogue and providers"), with no migration and no restart.
 */
class CatalogueChangeJourneyTest {

    /** What the operators promise: a change applies to new reservations within this. */
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String MODEL = "e2e-priced";
    private static Platform platform;
    private static String apiKey;

    @BeforeAll
    static void start() {
        platform = Platform.withLocalModel(MODEL);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    private static RequestSpecification admin() {
        return platform.admin();
    }

    private static RequestSpecification api() {
        return RestAssured.given().baseUri(platform.api.url()).header("Authorization", "Bearer " + apiKey);
    }

    private static void price(long inputPerMillion, long outputPerMillion) {
        admin().header("X-Operator", "e2e").body(Map.of("productId", "llm-proxy", "inputPerMillionMicros", inputPerMillion,
                "outputPerMillionMicros", outputPerMillion, "maxOutputTokens", 1000))
                .put("/admin/v1/catalogue/models/" + MODEL).then().statusCode(200);
    }

    /** The charge of one call, as the answer states it (-1 when the model is not sold yet). */
    private static long call() {
        Response r = api().contentType(ContentType.JSON).body("{\"model\":\"" + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"the same words every time\"}]}")
                .post("/v1/chat/completions");
        if (r.statusCode() == 404 || r.statusCode() == 400) {
            return -1;
        }
        r.then().statusCode(200);
        return Long.parseLong(r.header("X-Kiku-Cost-Micros"));
    }

    private static long waitForPriceChange(long before, long changedAtNanos) {
        while (true) {
            long cost = call();
            if (cost != before) {
                return cost;
            }
            assertThat(Duration.ofNanos(System.nanoTime() - changedAtNanos)).as("still charged the old price")
                    .isLessThan(BOUND);
            ServiceProcess.sleep(1_000);
        }
    }

    @Test
    void shouldChargeANewPriceWithinAMinuteOfTheChange() {
        long account = admin().body(Map.of("telegramUserId", 9_000_000_000L + (System.nanoTime() % 1_000_000_000L),
                "displayName", "Prices")).post("/admin/v1/accounts").then().statusCode(200).extract().jsonPath()
                .getLong("accountId");
        admin().body(Map.of("amountMicros", 5_000_000, "reason", "e2e", "idempotencyKey", UUID.randomUUID().toString()))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200);
        apiKey = admin().body(Map.of("name", "prices", "rateLimitPerMinute", 600))
                .post("/admin/v1/accounts/" + account + "/keys").then().statusCode(201).extract().jsonPath()
                .getString("key");
        Await.until("the credit in Redis", Duration.ofSeconds(30), () -> api().get("/api/v1/balance").then()
                .extract().jsonPath().getLong("balanceMicros"), b -> b == 5_000_000L);

        long created = System.nanoTime();
        price(1_000_000, 2_000_000);
        long first = waitForPriceChange(-1, created);
        assertThat(first).as("a new model is sold within the bound").isPositive();

        long repriced = System.nanoTime();
        price(10_000_000, 20_000_000);
        long second = waitForPriceChange(first, repriced);
        // the per-request price is unchanged, the token part is ten times as much
        assertThat(second - 1_000).isEqualTo((first - 1_000) * 10);
        assertThat(call()).as("and stays").isEqualTo(second);

        JsonPath audit = admin().get("/admin/v1/catalogue/audit").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getString("entries[0].key")).isEqualTo(MODEL);
        assertThat(audit.getString("entries[0].action")).isEqualTo("update");
        assertThat(audit.getString("entries[0].changedBy")).as("the shared token, with the claim as a note")
                .isEqualTo("admin-token (says: e2e)");
        assertThat(audit.getLong("entries[0].oldValue.inputPerMillionMicros")).isEqualTo(1_000_000);
        assertThat(audit.getLong("entries[0].newValue.inputPerMillionMicros")).isEqualTo(10_000_000);
    }
}
