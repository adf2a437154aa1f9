package ai.kiku.e2e;

import ai.kiku.devstack.PgWire;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user journey across the four real services: sign up in Telegram, top up through the Paddle
 * stand-in, get told, create a key, call the metered API, see usage recorded exactly and the
 * ledger agree with Redis; then a billing process is killed while usage flows and nothing is
 * lost or doubled.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlatformJourneyTest {

    private static final Duration EVENTUALLY = Duration.ofSeconds(30);
    private static final long TELEGRAM_USER = 7_000_000_000L + (System.nanoTime() % 1_000_000);
    private static Platform platform;
    private static long accountId;
    private static String apiKey;
    private static long keyId;

    @BeforeAll
    static void start() {
        platform = new Platform();
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

    /** A call to an internal API as bot-service makes it (its token is the one those endpoints serve). */
    private static RequestSpecification internal(ServiceProcess service) {
        return RestAssured.given().baseUri(service.url())
                .header("Authorization", "Bearer " + Platform.BOT_TOKEN).contentType(ContentType.JSON);
    }

    private static RequestSpecification api() {
        return RestAssured.given().baseUri(platform.api.url()).header("Authorization", "Bearer " + apiKey);
    }

    private static void sayToBot(String text) {
        ServiceProcess bot = platform.bot;
        JsonPath config = RestAssured.get(bot.url() + "/telegram-standin/api/config").then().statusCode(200)
                .extract().jsonPath();
        JsonPath ids = RestAssured.given().contentType(ContentType.JSON).body(Map.of("text", text))
                .post(bot.url() + "/telegram-standin/api/chats/" + TELEGRAM_USER + "/messages")
                .then().statusCode(200).extract().jsonPath();
        Map<String, Object> user = Map.of("id", TELEGRAM_USER, "is_bot", false, "first_name", "Ann");
        Map<String, Object> update = Map.of("update_id", ids.getInt("updateId"),
                "message", Map.of("message_id", ids.getInt("messageId"), "date", ids.getLong("date"),
                        "chat", Map.of("id", TELEGRAM_USER, "type", "private", "first_name", "Ann"),
                        "from", user, "text", text));
        RestAssured.given().contentType(ContentType.JSON).header(config.getString("secretHeader"),
                        config.getString("secret")).body(update)
                .post(bot.url() + config.getString("webhookPath")).then().statusCode(200);
    }

    private static List<String> botSaid() {
        List<Map<String, Object>> messages = RestAssured.get(platform.bot.url() + "/telegram-standin/api/chats/"
                + TELEGRAM_USER + "/messages").then().statusCode(200).extract().jsonPath().getList("messages");
        return messages.stream().filter(m -> !"user".equals(m.get("from")))
                .map(m -> String.valueOf(m.get("text"))).toList();
    }

    /** Sessions waiting for a lock on usage_records (pg_locks is current, not a per-transaction snapshot). */
    private static long lockWaiters(PgWire session) {
        try {
            return Long.parseLong(session.query("SELECT count(*) FROM pg_locks WHERE NOT granted"
                    + " AND relation = 'usage_records'::regclass").get(0).get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonPath account() {
        return admin().get("/admin/v1/accounts/" + accountId).then().statusCode(200).extract().jsonPath();
    }

    @Test
    @Order(1)
    void shouldSignUpThroughTheBot() {
        sayToBot("/start");

        accountId = Await.until("the account behind /start", EVENTUALLY,
                () -> internal(platform.billing).get("/internal/v1/accounts/by-telegram/" + TELEGRAM_USER)
                        .then().statusCode(200).extract().jsonPath().getLong("accountId"), id -> id > 0);
        Await.until("the bot's greeting", EVENTUALLY, PlatformJourneyTest::botSaid, said -> !said.isEmpty());
        assertThat(account().getLong("balanceMicros")).isZero();
    }

    @Test
    @Order(2)
    void shouldCreditAPaidCheckoutOnceAndTellTheUser() {
        JsonPath checkout = internal(platform.webhook)
                .body(Map.of("accountId", accountId, "paddlePriceId", "pri_local_5", "quantity", 1))
                .post("/internal/v1/checkouts").then().statusCode(201).extract().jsonPath();
        String transaction = checkout.getString("transactionId");
        assertThat(checkout.getString("checkoutUrl")).contains(transaction);

        RestAssured.post(platform.webhook.url() + "/paddle-sim/checkout/" + transaction + "/pay")
                .then().statusCode(org.hamcrest.Matchers.lessThan(400));
        RestAssured.post(platform.webhook.url() + "/paddle-sim/checkout/" + transaction + "/pay")
                .then().statusCode(org.hamcrest.Matchers.lessThan(500));

        Await.until("the credit", EVENTUALLY, () -> account().getLong("balanceMicros"), b -> b == 5_000_000L);
        Await.until("the payment notification", EVENTUALLY, PlatformJourneyTest::botSaid,
                said -> said.stream().anyMatch(t -> t.contains("5.00")));
        ServiceProcess.sleep(1_500);
        assertThat(account().getLong("balanceMicros")).isEqualTo(5_000_000L);
        assertThat(botSaid().stream().filter(t -> t.contains("5.00"))).as("told once, though paid twice").hasSize(1);

        // the credit came through webhook-service's token; the bot's, on the same ledger endpoint, books nothing
        internal(platform.billing).body(Map.of("kind", "payment", "amountMicros", 1_000_000, "externalRef",
                "txn_forged_" + accountId)).post("/internal/v1/accounts/" + accountId + "/ledger")
                .then().statusCode(403);
        assertThat(account().getLong("balanceMicros")).isEqualTo(5_000_000L);
    }

    @Test
    @Order(3)
    void shouldMeterAnApiCallExactlyAndRecordItsUsage() {
        JsonPath key = admin().body(Map.of("name", "e2e", "rateLimitPerMinute", 600))
                .post("/admin/v1/accounts/" + accountId + "/keys").then().statusCode(201).extract().jsonPath();
        apiKey = key.getString("key");
        keyId = key.getLong("keyId");

        JsonPath completion = api().contentType(ContentType.JSON)
                .body(Map.of("model", "local-echo", "messages", List.of(Map.of("role", "user", "content", "hello kiku"))))
                .post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        assertThat(completion.getString("choices[0].message.content")).isEqualTo("hello kiku");

        JsonPath balance = api().get("/api/v1/balance").then().statusCode(200).extract().jsonPath();
        assertThat(balance.getLong("balanceMicros")).isEqualTo(4_999_000L);

        Await.until("the usage in PostgreSQL", EVENTUALLY,
                () -> admin().get("/admin/v1/accounts/" + accountId + "/usage?groupBy=day").then().statusCode(200)
                        .extract().jsonPath(),
                usage -> usage.getLong("totals.requests") == 1 && usage.getLong("totals.costMicros") == 1_000);
        assertThat(admin().get("/admin/v1/reconciliation?accountId=" + accountId).then().statusCode(200)
                .extract().jsonPath().getInt("accountsWithDrift")).isZero();
    }

    @Test
    @Order(4)
    void shouldLoseNothingWhenBillingDiesWhileUsageFlows() throws Exception {
        // Billing dies in the middle of a batch: it has read the usage from the stream and is
        // writing it to PostgreSQL (held up by a lock this test takes), so nothing is acknowledged.
        // The restarted process is a new consumer and must re-claim the dead one's entries.
        try (PgWire lock = platform.session()) {
            lock.query("BEGIN");
            lock.query("LOCK TABLE usage_records IN SHARE MODE");
            for (int i = 0; i < 20; i++) {
                api().contentType(ContentType.JSON)
                        .body(Map.of("model", "local-echo", "messages", List.of(Map.of("role", "user", "content", "n" + i))))
                        .post("/v1/chat/completions").then().statusCode(200);
            }
            Await.until("billing blocked writing a usage batch", EVENTUALLY, () -> lockWaiters(lock), n -> n > 0);
            platform.billing.kill();
            lock.query("ROLLBACK");
        }
        platform.billing.start();

        JsonPath usage = Await.until("21 requests in PostgreSQL", EVENTUALLY,
                () -> admin().get("/admin/v1/accounts/" + accountId + "/usage?groupBy=day").then().statusCode(200)
                        .extract().jsonPath(),
                u -> u.getLong("totals.requests") == 21);
        assertThat(usage.getLong("totals.costMicros")).isEqualTo(21_000);
        assertThat(account().getLong("balanceMicros")).isEqualTo(4_979_000L);
        assertThat(admin().get("/admin/v1/reconciliation?accountId=" + accountId).then().statusCode(200)
                .extract().jsonPath().getInt("accountsWithDrift")).isZero();
    }

    @Test
    @Order(5)
    void shouldRefuseARevokedKeyWithinOneSecond() {
        admin().delete("/admin/v1/accounts/" + accountId + "/keys/" + keyId).then().statusCode(200);
        ServiceProcess.sleep(1_000);
        api().get("/api/v1/balance").then().statusCode(401);
        api().contentType(ContentType.JSON)
                .body(Map.of("model", "local-echo", "messages", List.of(Map.of("role", "user", "content", "x"))))
                .post("/v1/chat/completions").then().statusCode(401);
        assertThat(account().getLong("balanceMicros")).isEqualTo(4_979_000L);
    }
}
