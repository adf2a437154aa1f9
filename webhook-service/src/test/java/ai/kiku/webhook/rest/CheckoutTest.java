package ai.kiku.webhook.rest;

import ai.kiku.webhook.client.PaddleApi;
import ai.kiku.webhook.client.PaddleClient;
import ai.kiku.webhook.client.PaddleTransaction;
import ai.kiku.webhook.config.PaddleConfig;
import ai.kiku.webhook.support.BillingStub;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;

/** Checkouts: the internal endpoint, the local Paddle simulator journey, and the Paddle API wire format. */
@QuarkusTest
class CheckoutTest {

    /** bot-service's token (kiku.internal.tokens.bot of the test profile): the only caller of checkouts. */
    static final String INTERNAL = "Bearer test-bot-token";

    @Inject
    PaddleConfig paddleConfig;

    final BillingStub billing = BillingStub.shared();

    private static long newAccount() {
        long id = ThreadLocalRandom.current().nextLong(1_000_000, 9_000_000_000L);
        BillingStub.shared().createAccount(id);
        return id;
    }

    @Test
    void shouldRunTheWholeTopUpJourneyThroughTheLocalSimulator() {
        long account = newAccount();
        String checkoutUrl = given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", account, "paddlePriceId", "pri_local_20", "quantity", 2))
                .post("/internal/v1/checkouts").then().statusCode(201)
                .body("transactionId", matchesPattern("txn_[0-9a-z]{26}"))
                .body("creditsMicros", equalTo(40_000_000)).body("credits", equalTo("40.000000"))
                .extract().path("checkoutUrl");
        assertThat(checkoutUrl).contains("/paddle-sim/checkout/txn_");

        String page = given().get(checkoutUrl).then().statusCode(200).contentType(startsWith("text/html"))
                .extract().asString();
        assertThat(page).contains("<button type=\"submit\">Pay</button>").contains("USD 40.00");
        String pay = page.replaceAll("(?s).*action=\"([^\"]+)\".*", "$1");

        given().post(pay).then().statusCode(200).body(containsString("received"));
        InboxProbe.await("the credit", Duration.ofSeconds(15), () -> billing.balance(account) == 40_000_000L);
        given().post(pay).then().statusCode(200); // paying twice is one delivery (same event id)
        sleepQuietly(1500);
        assertThat(billing.balance(account)).isEqualTo(40_000_000L);
        assertThat(billing.calls(account)).hasSize(1);
        assertThat(billing.calls(account).get(0).kind()).isEqualTo("payment");
    }

    @Test
    void shouldRefuseCheckoutsWithoutTheInternalToken() {
        given().contentType(ContentType.JSON).body(Map.of("accountId", 1, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(401)
                .contentType(startsWith("application/problem+json"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON)
                .body(Map.of("accountId", 1, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(401);
    }

    @Test
    void shouldRefuseAWrongTokenByThePlatformsOneRuleWithItsChallenge() {
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON)
                .body(Map.of("accountId", 1, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"internal\"")
                .body("type", equalTo("https://kiku.ai/problems/unauthorized"))
                .body("detail", equalTo("invalid token for /internal endpoints"));
    }

    @Test
    void shouldAcceptOnlyTheBotsTokenForCheckouts() {
        long account = newAccount();
        // the token this service sends to billing is not one that creates checkouts here
        given().header("Authorization", "Bearer " + BillingStub.TOKEN).contentType(ContentType.JSON)
                .body(Map.of("accountId", account, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(401)
                .contentType(startsWith("application/problem+json"));
        given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", account, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(201);
    }

    @Test
    void shouldNameTheFieldOfAnInvalidCheckout() {
        long account = newAccount();
        given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", account, "paddlePriceId", "pri_nope")).post("/internal/v1/checkouts")
                .then().statusCode(400).body("field", equalTo("paddlePriceId"));
        given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", account, "paddlePriceId", "pri_local_5", "quantity", 0))
                .post("/internal/v1/checkouts").then().statusCode(400).body("field", equalTo("quantity"));
        given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("paddlePriceId", "pri_local_5")).post("/internal/v1/checkouts")
                .then().statusCode(400).body("field", equalTo("accountId"));
        given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", 9_999_999_999L, "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(404);
    }

    @Test
    void shouldAnswer404ForUnknownSimulatorCheckouts() {
        given().get("/paddle-sim/checkout/txn_unknown").then().statusCode(404);
    }

    @Test
    void shouldHideTheSimulatorFromRequestsRelayedByAProxy() {
        String checkoutUrl = given().header("Authorization", INTERNAL).contentType(ContentType.JSON)
                .body(Map.of("accountId", newAccount(), "paddlePriceId", "pri_local_5"))
                .post("/internal/v1/checkouts").then().statusCode(201).extract().path("checkoutUrl");
        given().get(checkoutUrl).then().statusCode(200);
        given().header("X-Forwarded-For", "203.0.113.9").get(checkoutUrl).then().statusCode(404)
                .contentType(startsWith("application/problem+json"));
        given().header("Forwarded", "for=203.0.113.9").post(checkoutUrl + "/pay").then().statusCode(404);
    }

    /** The typed client against a stub of api.paddle.com speaking Paddle's wire format. */
    @Test
    void shouldSpeakPaddlesWireFormatToThePaddleApi() throws Exception {
        AtomicReference<String> seenAuth = new AtomicReference<>();
        AtomicReference<JsonNode> seenBody = new AtomicReference<>();
        HttpServer paddle = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        paddle.createContext("/transactions", exchange -> {
            seenAuth.set(exchange.getRequestHeaders().getFirst("Authorization"));
            seenBody.set(Paddle.MAPPER.readTree(exchange.getRequestBody()));
            boolean refuse = seenBody.get().path("items").get(0).path("price_id").asText().equals("pri_bad");
            byte[] answer = (refuse
                    ? "{\"error\":{\"type\":\"request_error\",\"code\":\"not_found\",\"detail\":\"no price\"}}"
                    : "{\"data\":{\"id\":\"txn_01hv8wptq8987qeep44cyrewp9\",\"status\":\"ready\",\"origin\":\"api\","
                    + "\"checkout\":{\"url\":\"https://pay.example/?_ptxn=txn_01hv8wptq8987qeep44cyrewp9\"}},"
                    + "\"meta\":{\"request_id\":\"r1\"}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(refuse ? 404 : 201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        paddle.start();
        try {
            PaddleApi api = PaddleClient.build("http://127.0.0.1:" + paddle.getAddress().getPort(), paddleConfig);
            PaddleTransaction.Envelope created = api.createTransaction("Bearer pdl_sdbx_key",
                    new PaddleTransaction.Create(List.of(new PaddleTransaction.Item("pri_local_5", 3)),
                            Map.of("kiku_account_id", "1001"), null));

            assertThat(created.data().id()).isEqualTo("txn_01hv8wptq8987qeep44cyrewp9");
            assertThat(created.data().checkout().url()).isEqualTo("https://pay.example/?_ptxn=txn_01hv8wptq8987qeep44cyrewp9");
            assertThat(seenAuth.get()).isEqualTo("Bearer pdl_sdbx_key");
            assertThat(seenBody.get().toString()).isEqualTo(
                    "{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":3}],\"custom_data\":{\"kiku_account_id\":\"1001\"}}");
            assertThatThrownBy(() -> api.createTransaction("Bearer pdl_sdbx_key", new PaddleTransaction.Create(
                    List.of(new PaddleTransaction.Item("pri_bad", 1)), Map.of(), null)))
                    .isInstanceOf(WebApplicationException.class);
        } finally {
            paddle.stop(0);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
