package ai.kiku.bot;

import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.bot.stub.TelegramStub;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * bot-service end to end: real Redis Cluster, the real pengrad client talking HTTP to a Telegram
 * Bot API stub, and billing/webhook reached over HTTP through their contract stand-in.
 */
@QuarkusTest
@WithTestResource(BotInfra.class)
@WithTestResource(EdgeStubsResource.class)
class BotServiceTest extends BotTestSupport {

    private static final AtomicLong USERS = new AtomicLong(7_000_000 + System.nanoTime() % 1_000_000 * 10);

    @Test
    void shouldCreateAccountAndGreetWhenTelegramSampleStartArrives() {
        Path dir = Updates.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "Telegram fixtures not found (../shared/fixtures/telegram); skipped");

        deliver(Updates.fixture(dir, "start_command.json", Updates.nextId())).statusCode(200);

        Map<String, String> greeting = awaitMessages(1111111, 1).get(0);
        assertThat(greeting.get("text")).startsWith("Welcome to KikuAI, Test Firstname Test Lastname!")
                .contains("Balance: <b>$0.00</b>").contains("/topup").contains("/newkey").contains("/usage");
        assertThat(greeting.get("parse_mode")).isEqualTo("HTML");
        assertThat(backendRequests).contains("POST /internal/v1/accounts");
        given().baseUri(billingUrl()).header("Authorization", "Bearer " + internalToken())
                .get("/internal/v1/accounts/by-telegram/1111111")
                .then().statusCode(200).body("displayName", equalTo("Test Firstname Test Lastname"));
    }

    @Test
    void shouldAnswerTelegramSampleCallbackQueryWithoutMessage() {
        Path dir = Updates.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "Telegram fixtures not found (../shared/fixtures/telegram); skipped");

        deliver(Updates.fixture(dir, "callback_query.json", Updates.nextId())).statusCode(200);

        Map<String, String> answer = await("answerCallbackQuery", () -> calls("answerCallbackQuery").stream()
                .filter(c -> "4382bfdwdsb323b2d9".equals(c.get("callback_query_id"))).findFirst().orElse(null));
        assertThat(answer.get("text")).isEqualTo("This button is no longer valid.");
    }

    @Test
    void shouldReplyOnceWhenTheSameUpdateArrivesTwiceConcurrently() throws Exception {
        long user = USERS.incrementAndGet();
        String update = Updates.text(Updates.nextId(), user, "/help");

        // Two threads of our own: on a 2-core machine the common pool has one, and both must wait on the latch.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Callable<Integer> delivery = () -> {
                start.await();
                return deliver(update).extract().statusCode();
            };
            Future<Integer> a = pool.submit(delivery);
            Future<Integer> b = pool.submit(delivery);
            start.countDown();
            assertThat(List.of(a.get(), b.get())).containsOnly(200);
        } finally {
            pool.shutdownNow();
        }
        deliver(update).statusCode(200);
        // A later update of the same chat is handled after any copy of the first: once its reply is
        // there, a duplicate reply would be too.
        deliver(Updates.text(Updates.nextId(), user, "/nonsense")).statusCode(200);

        List<Map<String, String>> replies = awaitMessages(user, 2);
        assertThat(replies).extracting(m -> m.get("text").split("\n")[0])
                .containsExactly("KikuAI — pay-as-you-go AI API.", "Unknown command. Pick one below or send /help.");
    }

    @Test
    void shouldRefuseWrongOrMissingSecretWithProblemAndRecordNothing() {
        int updateId = Updates.nextId();
        String update = Updates.text(updateId, USERS.incrementAndGet(), "/start");

        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET + "x").contentType(ContentType.JSON).body(update)
                .post("/telegram/webhook")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        given().contentType(ContentType.JSON).body(update).post("/telegram/webhook")
                .then().statusCode(401).contentType("application/problem+json");

        assertThat(redis.value(String.class).get("kiku:bot:update:" + updateId)).isNull();
    }

    @Test
    void shouldRefuseABodyThatIsNotAnUpdate() {
        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON).body("{\"update_id\":")
                .post("/telegram/webhook")
                .then().statusCode(400).contentType("application/problem+json").body("field", equalTo("body"));
        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON).body("{\"message\":{}}")
                .post("/telegram/webhook")
                .then().statusCode(400).body("field", equalTo("update_id"));
    }

    @Test
    void shouldShowANewKeyOnlyInTheReplyToNewkey() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/newkey ci runner")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/keys")).statusCode(200);

        List<Map<String, String>> replies = awaitMessages(user, 3);
        Matcher key = Pattern.compile("kiku_live_[A-Za-z0-9]{43}").matcher(replies.get(1).get("text"));
        assertThat(key.find()).as("plaintext key in the /newkey reply").isTrue();
        assertThat(replies.get(1).get("text")).contains("<b>ci runner</b> created").contains("shown only this once");
        String plaintext = key.group();
        assertThat(replies.get(2).get("text")).contains("<b>ci runner</b>").contains(plaintext.substring(0, 14))
                .doesNotContain(plaintext);
        assertThat(replies).filteredOn(m -> m.get("text").contains(plaintext)).hasSize(1);
    }

    @Test
    void shouldRevokeAKeyAndRefuseAnUnknownOne() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/newkey ci")).statusCode(200);
        String created = awaitMessages(user, 2).get(1).get("text");
        String keyId = created.replaceAll("(?s)^API key #(\\d+) .*", "$1");

        deliver(Updates.text(Updates.nextId(), user, "/revoke " + keyId)).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/revoke 999999999")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/revoke abc")).statusCode(200);

        List<Map<String, String>> replies = awaitMessages(user, 5);
        assertThat(replies.get(2).get("text")).startsWith("Revoke API key #" + keyId + " <b>ci</b>?");
        assertThat(replies.get(2).get("reply_markup")).contains("\"callback_data\":\"rv:y:" + keyId + "\"");
        assertThat(replies.get(3).get("text")).isEqualTo("You have no API key #999999999. See /keys.");
        assertThat(replies.get(4).get("text")).startsWith("Usage: /revoke");
    }

    @Test
    void shouldOfferCreditPacksAndReplyWithTheCheckoutUrlWhenOneIsPressed() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/topup")).statusCode(200);
        List<Map<String, String>> before = awaitMessages(user, 2);
        String accountId = before.get(0).get("text").replaceAll("(?s).*account #(\\d+) .*", "$1");
        Map<String, String> offer = before.get(1);
        assertThat(offer.get("text")).isEqualTo("Choose a credit pack:");
        assertThat(offer.get("reply_markup")).contains("\"callback_data\":\"topup:pri_local_5\"")
                .contains("$5 of credits — USD 5.00").contains("topup:pri_local_20");

        String callbackId = "cb-" + UUID.randomUUID();
        deliver(Updates.press(Updates.nextId(), user, callbackId, 5001, "topup:pri_local_5")).statusCode(200);

        Map<String, String> checkout = awaitMessages(user, 3).get(2);
        assertThat(checkout.get("text")).contains("Checkout for <b>$5 of credits</b> ($5.00 of credits)")
                .contains("https://checkout.example.test/pay/txn_")
                .contains("?acct=" + accountId + "&amp;price=pri_local_5&amp;qty=1");
        assertThat(checkout.get("reply_markup")).contains("\"text\":\"Pay USD 5.00\"").contains("\"url\":\"https://");
        assertThat(calls("answerCallbackQuery")).filteredOn(c -> callbackId.equals(c.get("callback_query_id")))
                .extracting(c -> c.get("text")).containsExactly("Creating your checkout…");
        assertThat(backendRequests).contains("POST /internal/v1/checkouts");
    }

    @Test
    void shouldReportBalanceAndThatThereWasNoUsageInTheLast30Days() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        String greeting = awaitMessages(user, 1).get(0).get("text");
        String accountId = greeting.replaceAll("(?s).*account #(\\d+) .*", "$1");
        given().baseUri(billingUrl()).header("Authorization", "Bearer " + internalToken()).contentType(ContentType.JSON)
                .body(Map.of("kind", "payment", "amountMicros", 12_345_678L, "externalRef", "txn_" + user))
                .post("/internal/v1/accounts/" + accountId + "/ledger").then().statusCode(200);
        // as billing does after a booking: the event also drops the bot's cached profile
        publish(new NotifyEvent("pay:txn_" + user, NotifyEventType.PAYMENT_RECEIVED, Long.parseLong(accountId), user,
                12_345_678L, 12_345_678L, "payment", System.currentTimeMillis()));
        awaitMessages(user, 2);

        deliver(Updates.text(Updates.nextId(), user, "/balance")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/usage")).statusCode(200);

        List<Map<String, String>> replies = awaitMessages(user, 4);
        assertThat(replies.get(2).get("text")).isEqualTo("Balance: <b>$12.345678</b>");
        assertThat(replies.get(3).get("text")).isEqualTo(
                "No requests in the last 30 days. Create a key with /newkey and call the API.");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertThat(backendRequests).anyMatch(r -> r.startsWith("GET /internal/v1/accounts/" + accountId
                + "/usage?from=" + today.minusDays(29) + "T00:00:00Z&to=") && r.endsWith("&groupBy=day-model"));
    }

    @Test
    void shouldSendOneMessagePerNotifyEventEvenWhenTheEventIsDeliveredTwice() {
        long user = USERS.incrementAndGet();
        NotifyEvent payment = new NotifyEvent("payment:txn_" + user, NotifyEventType.PAYMENT_RECEIVED, 1001, user,
                5_000_000, 12_500_000, "txn_" + user, System.currentTimeMillis());
        String first = publish(payment);
        String second = publish(payment);
        // Events of the stream are handled in order: once the next event's message is out, both copies were seen.
        String marker = publish(new NotifyEvent("low:" + user, NotifyEventType.LOW_BALANCE, 1001, user, 0, 500_000,
                "", System.currentTimeMillis()));

        List<Map<String, String>> messages = awaitMessages(user, 2);
        assertThat(messages).extracting(m -> m.get("text")).containsExactly(
                "Payment received: <b>+$5.00</b>.\nNew balance: <b>$12.50</b>. Thank you!",
                "Your balance is low: <b>$0.50</b>. Top up with /topup so that your API calls keep working.");
        awaitAcknowledged(first, second, marker);
    }

    @Test
    void shouldHonourRetryAfterWhenTelegramAnswers429() {
        long user = USERS.incrementAndGet();
        telegramScript.add(Map.of("method", "sendMessage", "chat_id", Long.toString(user), "status", "429",
                "retry_after", "1"));
        String entry = publish(new NotifyEvent("key:" + user, NotifyEventType.KEY_CREATED, 1001, user, 0, 0,
                "#42 ci", System.currentTimeMillis()));

        awaitMessages(user, 1);
        List<Map<String, String>> attempts = calls("sendMessage").stream()
                .filter(c -> Long.toString(user).equals(c.get("chat_id"))).toList();
        assertThat(attempts).extracting(c -> c.get(TelegramStub.STATUS)).containsExactly("429", "200");
        long waited = Long.parseLong(attempts.get(1).get(TelegramStub.AT))
                - Long.parseLong(attempts.get(0).get(TelegramStub.AT));
        assertThat(waited).as("ms between the 429 and the retry").isGreaterThanOrEqualTo(1000);
        assertThat(attempts.get(1).get("text")).startsWith("API key created: #42 ci.");
        awaitAcknowledged(entry);
    }

    @Test
    void shouldRedeliverAnEventLeftPendingAfterTelegramKeptFailing() {
        long user = USERS.incrementAndGet();
        for (int i = 0; i < 4; i++) { // kiku.telegram.send-attempts: the first delivery gives up
            telegramScript.add(Map.of("method", "sendMessage", "chat_id", Long.toString(user), "status", "502"));
        }
        String entry = publish(new NotifyEvent("susp:" + user, NotifyEventType.ACCOUNT_SUSPENDED, 1001, user, 0,
                -2_000_000, "chargeback", System.currentTimeMillis()));

        awaitMessages(user, 1);
        awaitAcknowledged(entry);
        List<Map<String, String>> attempts = calls("sendMessage").stream()
                .filter(c -> Long.toString(user).equals(c.get("chat_id"))).toList();
        assertThat(attempts).extracting(c -> c.get(TelegramStub.STATUS))
                .containsExactly("502", "502", "502", "502", "200");
        assertThat(attempts.get(4).get("text")).startsWith("Your account is <b>suspended</b>: chargeback.");
    }

    @Test
    void shouldNotServeTheTelegramStandinWhenARealTokenIsConfigured() {
        given().get("/telegram-standin/").then().statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.URLENC).formParam("chat_id", "1").formParam("text", "hi")
                .post("/telegram-standin/bot100000000:LOCAL-STANDIN/sendMessage").then().statusCode(404);
    }

    @Test
    void shouldRegisterTheWebhookWithItsSecretAtStartup() {
        Map<String, String> setWebhook = await("setWebhook", () -> calls("setWebhook").stream().findFirst().orElse(null));
        assertThat(setWebhook).containsEntry("url", "https://bot.example.test/telegram/webhook")
                .containsEntry("secret_token", SECRET).containsEntry("allowed_updates", "[\"message\",\"callback_query\"]");
    }

    @Test
    void shouldNotShowAccountDetailsInAGroupChat() {
        long user = USERS.incrementAndGet();
        long group = -1_000_000_000L - user;
        String update = Updates.text(Updates.nextId(), group, "group", user, "/keys@kiku_test_bot");
        deliver(update).statusCode(200);

        assertThat(awaitMessages(group, 1).get(0).get("text"))
                .isEqualTo("For your privacy I answer only in a private chat with me. Open a chat with me and send /start.");
        assertThat(backendRequests).noneMatch(r -> r.contains("/by-telegram/" + user));
    }
}
