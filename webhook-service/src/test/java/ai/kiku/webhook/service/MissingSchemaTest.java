package ai.kiku.webhook.service;

import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import ai.kiku.webhook.support.UnmigratedDatabase;
import ai.kiku.webhook.support.WebhookTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * webhook-service never migrates: started before billing migrated, it says so on its readiness (instead of failing
 * to start), refuses deliveries with a retryable 503, and becomes ready once the schema is there, without a restart.
 */
@QuarkusTest
@TestProfile(UnmigratedDatabase.class)
class MissingSchemaTest {

    private static final String CHECK = "checks.find { it.name == 'Inbox schema (paddle_events)' }";

    @ConfigProperty(name = "kiku.db.name")
    String database;

    @Test
    void shouldStayNotReadyNamingTheMissingInboxAndRefuseDeliveriesUntilTheSchemaIsMigrated() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body(CHECK + ".status", equalTo("DOWN"))
                .body(CHECK + ".data.missing", containsString("paddle_events"))
                .body(CHECK + ".data.missing", containsString("billing-service"));
        Paddle.deliver(Paddle.envelope(Paddle.id("evt"), "transaction.completed",
                Paddle.transaction(Paddle.id("txn"), 1L, "pri_local_5", 1, 500))).then().statusCode(503);

        WebhookTestResource.migrate(database); // what billing does at its start

        InboxProbe.await("readiness UP after the migration", Duration.ofSeconds(15),
                () -> given().when().get("/q/health/ready").statusCode() == 200);
        given().when().get("/q/health/ready").then().body(CHECK + ".status", equalTo("UP"));
    }
}
