package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.bot.repository.BotKeys;
import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.bot.stub.TelegramStub;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications as Telegram sees them (the Bot API stub, pengrad's own requests): in the user's language,
 * within Telegram's limits (kiku.notify.max-per-second overall, 10 in tests; 1 a second per chat), never again to a chat that blocked the
 * bot; the commands menu registered per language; the cached profile dropped when an event says it changed.
 */
@QuarkusTest
@WithTestResource(BotInfra.class)
@WithTestResource(EdgeStubsResource.class)
class NotificationsTest extends BotTestSupport {

    private static final AtomicLong USERS = new AtomicLong(9_000_000 + System.nanoTime() % 1_000_000 * 10);

    @Test
    void shouldNotifyInTheUsersLanguageIncludingRefundsAndChargebacks() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start", "ru")).statusCode(200);
        awaitMessages(user, 1);
        publish(event(user, NotifyEventType.REFUND_ISSUED, -1_250_000, 3_750_000));
        publish(event(user, NotifyEventType.CHARGEBACK, -2_000_000, 1_750_000));
        long english = USERS.incrementAndGet();
        publish(event(english, NotifyEventType.REFUND_ISSUED, -1_250_000, 3_750_000));

        assertThat(awaitMessages(user, 3).subList(1, 3)).extracting(m -> m.get("text")).containsExactly(
                "Оформлен возврат: <b>-$1.25</b>.\nНовый баланс: <b>$3.75</b>.",
                "Проведён чарджбэк на <b>$2.00</b>.\nНовый баланс: <b>$1.75</b>.");
        assertThat(awaitMessages(english, 1).get(0).get("text"))
                .isEqualTo("Refund issued: <b>-$1.25</b>.\nNew balance: <b>$3.75</b>.");
    }

    @Test
    void shouldServeTheProfileFromCacheUntilAnEventSaysItChanged() {
        long user = USERS.incrementAndGet();
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        String account = awaitMessages(user, 1).get(0).get("text").replaceAll("(?s).*account #(\\d+) .*", "$1");
        deliver(Updates.text(Updates.nextId(), user, "/balance")).statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/balance")).statusCode(200);
        awaitMessages(user, 3);
        assertThat(backendRequests).noneMatch(r -> r.endsWith("/by-telegram/" + user));

        given().baseUri(billingUrl()).header("Authorization", "Bearer " + internalToken()).contentType(ContentType.JSON)
                .body(Map.of("kind", "payment", "amountMicros", 7_000_000L, "externalRef", "txn_c" + user))
                .post("/internal/v1/accounts/" + account + "/ledger").then().statusCode(200);
        deliver(Updates.text(Updates.nextId(), user, "/balance")).statusCode(200);
        assertThat(awaitMessages(user, 4).get(3).get("text")).as("cached for 5 min").startsWith("Balance: <b>$0.00</b>\n");

        publish(event(user, NotifyEventType.PAYMENT_RECEIVED, 7_000_000, 7_000_000));
        awaitMessages(user, 5);
        deliver(Updates.text(Updates.nextId(), user, "/balance")).statusCode(200);
        assertThat(awaitMessages(user, 6).get(5).get("text")).isEqualTo("Balance: <b>$7.00</b>");
        assertThat(backendRequests).filteredOn(r -> r.endsWith("/by-telegram/" + user)).hasSize(1);
    }

    @Test
    void shouldSendNothingMoreToAChatThatBlockedTheBot() {
        long user = USERS.incrementAndGet();
        telegramScript.add(Map.of("method", "sendMessage", "chat_id", Long.toString(user), "status", "403"));
        String first = publish(event(user, NotifyEventType.PAYMENT_RECEIVED, 1_000_000, 1_000_000));
        String second = publish(event(user, NotifyEventType.LOW_BALANCE, 0, 100));
        long marker = USERS.incrementAndGet();
        String after = publish(event(marker, NotifyEventType.PAYMENT_RECEIVED, 1_000_000, 1_000_000));

        awaitMessages(marker, 1);
        awaitAcknowledged(first, second, after);
        assertThat(calls("sendMessage")).filteredOn(c -> Long.toString(user).equals(c.get("chat_id")))
                .extracting(c -> c.get(TelegramStub.STATUS)).containsExactly("403");
        assertThat(redis.hash(String.class).hget(BotKeys.user(user), "blocked")).isEqualTo("1");

        // writing to the bot again unblocks
        deliver(Updates.text(Updates.nextId(), user, "/start")).statusCode(200);
        awaitMessages(user, 1);
        publish(event(user, NotifyEventType.KEY_CREATED, 0, 0));
        awaitMessages(user, 2);
    }

    @Test
    void shouldSendAtMostOneMessageASecondToAChat() {
        long user = USERS.incrementAndGet();
        for (int i = 0; i < 3; i++) {
            publish(event(user, NotifyEventType.KEY_CREATED, 0, 0));
        }
        List<Map<String, String>> sent = awaitMessages(user, 3);
        for (int i = 1; i < sent.size(); i++) {
            long gap = Long.parseLong(sent.get(i).get(TelegramStub.AT)) - Long.parseLong(sent.get(i - 1).get(TelegramStub.AT));
            assertThat(gap).as("ms between messages %d and %d to one chat", i - 1, i).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void shouldSendAtMostMaxPerSecondMessagesASecondOverall() {
        int max = ConfigProvider.getConfig().getValue("kiku.notify.max-per-second", Integer.class);
        List<Long> users = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            long user = USERS.incrementAndGet();
            users.add(user);
            publish(event(user, NotifyEventType.KEY_CREATED, 0, 0));
        }
        await("25 notifications", () -> sentTo(users).size() >= 25 ? true : null);
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (Map<String, String> c : sentTo(users)) {
            perSecond.merge(Long.parseLong(c.get(TelegramStub.AT)) / 1000, 1, Integer::sum);
        }
        assertThat(perSecond.values()).as("messages per second %s", perSecond).allMatch(n -> n <= max);
        assertThat(perSecond).hasSizeGreaterThanOrEqualTo(25 / max);
    }

    @Test
    void shouldRegisterTheCommandsMenuInEachLanguage() {
        List<Map<String, String>> menus = await("setMyCommands", () -> calls("setMyCommands").size() >= 3
                ? calls("setMyCommands") : null);
        assertThat(menus).hasSize(3);
        assertThat(menus.get(0)).doesNotContainKey("language_code");
        assertThat(menus.get(0).get("commands")).contains("\"command\":\"balance\"")
                .contains(Messages.t(Lang.EN, "menu.balance")).contains("\"command\":\"alert\"");
        assertThat(menus).filteredOn(m -> "ru".equals(m.get("language_code"))).singleElement()
                .satisfies(m -> assertThat(m.get("commands")).contains("Ваш баланс").contains("\"command\":\"prices\""));
        assertThat(menus).filteredOn(m -> "en".equals(m.get("language_code"))).singleElement()
                .satisfies(m -> assertThat(m.get("commands")).contains("Your balance"));
    }

    private List<Map<String, String>> sentTo(List<Long> users) {
        return calls("sendMessage").stream().filter(c -> "200".equals(c.get(TelegramStub.STATUS))
                && users.contains(Long.parseLong(c.get("chat_id")))).toList();
    }

    private static NotifyEvent event(long user, NotifyEventType type, long amount, long balance) {
        return new NotifyEvent("t:" + UUID.randomUUID(), type, 1001, user, amount, balance, "",
                System.currentTimeMillis());
    }
}
