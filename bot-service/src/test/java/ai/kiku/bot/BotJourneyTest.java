package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.bot.stub.TelegramStub;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16's done-criterion: every command and every button of the bot, driven through the webhook, in English
 * and in Russian: the language from Telegram's language_code, the main menu, keys with the how-to and the
 * confirmed revoke (pressed twice, revoked once), prices, history, alert, the usage chart, /language, stale and
 * forged buttons, and bad input.
 */
@QuarkusTest
@WithTestResource(BotInfra.class)
@WithTestResource(EdgeStubsResource.class)
class BotJourneyTest extends BotTestSupport {

    private static final AtomicLong USERS = new AtomicLong(8_000_000 + System.nanoTime() % 1_000_000 * 10);

    /** Injected by {@link EdgeStubsResource}: usage the billing stand-in reports per account. */
    Map<Long, List<String>> backendUsage;

    @ParameterizedTest
    @ValueSource(strings = {"en", "ru-RU"})
    void shouldDriveEveryCommandAndButtonInTheUsersLanguage(String languageCode) {
        Lang lang = Lang.fromTelegram(languageCode);
        long user = USERS.incrementAndGet();

        Map<String, String> welcome = say(user, "/start", languageCode);
        assertThat(welcome.get("text")).startsWith(Messages.t(lang, "start.welcome", "name", "Ann Lee",
                "account", accountId(welcome), "balance", "$0.00"));
        assertThat(welcome.get("text")).contains(lang == Lang.RU ? "Добро пожаловать" : "Welcome");
        for (String item : List.of("balance", "topup", "keys", "usage", "prices", "settings")) {
            assertThat(welcome.get("reply_markup")).contains("\"callback_data\":\"m:" + item + "\"")
                    .contains(Messages.t(lang, "button." + item));
        }
        long account = accountId(welcome);
        assertThat(say(user, "/help", languageCode).get("text")).startsWith(Messages.t(lang, "help.title"))
                .contains(Messages.t(lang, "commands"));

        // the main menu's buttons route to the commands
        assertThat(press(user, "m:balance").get("text")).startsWith(Messages.t(lang, "balance.line", "balance", "$0.00"));
        assertThat(press(user, "m:topup").get("text")).isEqualTo(Messages.t(lang, "topup.choose"));
        assertThat(press(user, "m:keys").get("text")).isEqualTo(Messages.t(lang, "keys.none"));
        assertThat(press(user, "m:usage").get("text")).isEqualTo(Messages.t(lang, "usage.none", "days", 30));
        assertThat(press(user, "m:prices").get("text")).startsWith(Messages.t(lang, "prices.title"));
        Map<String, String> settings = press(user, "m:settings");
        assertThat(settings.get("text")).isEqualTo(Messages.t(lang, "settings.text",
                "language", Messages.t(lang, "language.name"), "threshold", "$1.00"));
        assertThat(settings.get("reply_markup")).contains("m:language").contains("m:history");

        // keys: the how-to after /newkey, spend and last use in /keys, revoke asked, cancelled, confirmed twice
        String created = say(user, "/newkey ci", languageCode).get("text");
        Matcher key = Pattern.compile("<code>(kiku_live_[A-Za-z0-9]{43})</code>").matcher(created);
        assertThat(key.find()).as("the key in a tap-to-copy block: %s", created).isTrue();
        long keyId = Long.parseLong(created.replaceAll("(?s)^\\D*(\\d+).*", "$1"));
        assertThat(created).contains("<code>http://127.0.0.1:8080/v1</code>")
                .contains("<pre><code class=\"language-bash\">curl http://127.0.0.1:8080/v1/chat/completions")
                .contains("OpenAI(base_url=&quot;http://127.0.0.1:8080/v1&quot;")
                .contains("new OpenAI({ baseURL: &quot;http://127.0.0.1:8080/v1&quot;")
                .contains("&quot;model&quot;:&quot;local-echo&quot;");
        assertThat(created.indexOf(key.group(1))).isEqualTo(created.lastIndexOf(key.group(1)));
        backendUsage.put(account, List.of(day(0) + " local-echo 3 300 120 2500 " + keyId,
                day(2) + " big-model 2 1000 500 1234567 " + keyId, day(20) + " local-echo 1 10 10 100 " + keyId));
        Map<String, String> keys = say(user, "/keys", languageCode);
        assertThat(keys.get("text")).contains(Messages.t(lang, "keys.line", "id", keyId, "name", "ci",
                "prefix", key.group(1).substring(0, 14), "status", Messages.t(lang, "key.status.active"),
                "lastUsed", Messages.t(lang, "keys.never_used"), "spent", "$1.237167"));
        assertThat(keys.get("reply_markup")).contains("\"callback_data\":\"rv:ask:" + keyId + "\"");
        Map<String, String> ask = press(user, "rv:ask:" + keyId);
        assertThat(ask.get("text")).isEqualTo(Messages.t(lang, "revoke.confirm", "id", keyId, "name", "ci"));
        assertThat(ask.get("reply_markup")).contains("rv:y:" + keyId).contains("rv:n:" + keyId);
        assertThat(press(user, "rv:n:" + keyId).get("text")).isEqualTo(Messages.t(lang, "revoke.cancelled", "id", keyId));
        assertThat(say(user, "/revoke " + keyId, languageCode).get("text"))
                .isEqualTo(Messages.t(lang, "revoke.confirm", "id", keyId, "name", "ci"));
        assertThat(press(user, "rv:y:" + keyId).get("text")).isEqualTo(Messages.t(lang, "revoke.done", "id", keyId, "name", "ci"));
        String again = "cb-" + UUID.randomUUID();
        deliver(Updates.press(Updates.nextId(), user, again, 5001, "rv:y:" + keyId)).statusCode(200);
        assertThat(answer(again)).isEqualTo(Messages.t(lang, "revoke.already_short", "id", keyId));
        assertThat(backendRequests).filteredOn(r -> r.equals("DELETE /internal/v1/accounts/" + account + "/keys/" + keyId))
                .hasSize(1);
        assertThat(say(user, "/revoke " + keyId, languageCode).get("text"))
                .isEqualTo(Messages.t(lang, "revoke.already", "id", keyId, "name", "ci"));

        // prices: exact arithmetic of what $1 buys (0.15 $/M in → 6 666 666 tokens, 0.60 $/M out, $0.0001 a request)
        assertThat(say(user, "/prices", languageCode).get("text"))
                .contains(Messages.t(lang, "prices.model", "model", "local-echo", "input", "$0.15", "output", "$0.60",
                        "request", "$0.0001"))
                .contains(Messages.t(lang, "prices.dollar", "inputTokens", "6\u202f666\u202f666",
                        "outputTokens", "1\u202f666\u202f666", "requests", "10\u202f000"))
                .contains("<b>big-model</b>");

        // history: money movements only, newest first, the per-call usage rows skipped
        book(account, "payment", 5_000_000);
        book(account, "usage", -1_000);
        book(account, "refund", -1_250_000);
        book(account, "adjustment", 300_000);
        String history = press(user, "m:history").get("text");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(history).isEqualTo(Messages.t(lang, "history.title") + "\n"
                + Messages.t(lang, "history.line", "date", today, "kind", Messages.t(lang, "kind.adjustment"), "amount", "+$0.30")
                + "\n" + Messages.t(lang, "history.line", "date", today, "kind", Messages.t(lang, "kind.refund"), "amount", "-$1.25")
                + "\n" + Messages.t(lang, "history.line", "date", today, "kind", Messages.t(lang, "kind.payment"), "amount", "+$5.00"));
        assertThat(say(user, "/history", languageCode).get("text")).isEqualTo(history);

        // alert: exact dollars to micros, bounds and decimals checked before billing is asked
        assertThat(say(user, "/alert 2.5", languageCode).get("text")).isEqualTo(Messages.t(lang, "alert.set", "threshold", "$2.50"));
        assertThat(say(user, "/alert", languageCode).get("text")).startsWith(Messages.t(lang, "alert.current", "threshold", "$2.50"));
        for (String bad : List.of("-1", "10000.000001", "1e3", "0.0000001", "abc", "10001")) {
            assertThat(say(user, "/alert " + bad, languageCode).get("text")).as(bad).startsWith(Messages.t(lang, "alert.invalid"));
        }
        assertThat(say(user, "/alert $10000", languageCode).get("text")).isEqualTo(Messages.t(lang, "alert.set", "threshold", "$10000.00"));
        assertThat(say(user, "/alert 0", languageCode).get("text")).isEqualTo(Messages.t(lang, "alert.off"));
        assertThat(backendRequests).filteredOn(r -> r.startsWith("PUT /internal/v1/accounts/" + account)).hasSize(3);

        // usage: a PNG chart with a summary, for the default range, a button's range and an argument's
        Map<String, String> chart = say(user, "/usage", languageCode);
        assertThat(chart.get(TelegramStub.METHOD)).isEqualTo("sendPhoto");
        assertThat(Base64.getDecoder().decode(chart.get("photo"))).startsWith(0x89, 'P', 'N', 'G');
        assertThat(chart.get("caption")).startsWith(Messages.t(lang, "usage.summary", "days", 30, "requests", "6",
                "input", "1\u202f310", "output", "630", "cost", "$1.237167"))
                .contains(Messages.t(lang, "usage.model_line", "model", "big-model", "cost", "$1.234567"));
        assertThat(chart.get("reply_markup")).contains("u:7d").contains("u:90d");
        assertThat(press(user, "u:7d").get("caption")).startsWith(Messages.t(lang, "usage.summary", "days", 7,
                "requests", "5", "input", "1\u202f300", "output", "620", "cost", "$1.237067"));
        assertThat(say(user, "/usage 90D", languageCode).get(TelegramStub.METHOD)).isEqualTo("sendPhoto");
        assertThat(say(user, "/usage 5d", languageCode).get("text")).isEqualTo(Messages.t(lang, "usage.bad_range"));

        // top-up from the menu still reaches a checkout
        assertThat(press(user, "topup:pri_local_5").get("text")).contains("https://checkout.example.test/pay/txn_");

        // stale or forged buttons: a polite notice, nothing done
        int before = outgoing(user).size();
        for (String forged : List.of("rv:y:abc", "m:nope", "lang:de", "u:1y", "", "rv:y:99999999999999999999",
                "topup:pri_gone")) {
            String id = "cb-" + UUID.randomUUID();
            deliver(Updates.press(Updates.nextId(), user, id, 5001, forged)).statusCode(200);
            assertThat(answer(id)).as(forged).isEqualTo(forged.startsWith("topup:")
                    ? Messages.t(lang, "topup.pack_gone") : Messages.t(lang, "callback.stale"));
        }
        assertThat(outgoing(user)).hasSize(before);

        // bad input: unknown commands, stickers, long texts get a polite answer; edited messages are ignored
        assertThat(say(user, "/nonsense", languageCode).get("text")).isEqualTo(Messages.t(lang, "command.unknown"));
        assertThat(say(user, "hello", languageCode).get("text")).isEqualTo(Messages.t(lang, "input.not_command"));
        assertThat(say(user, "/newkey " + "x".repeat(5000), languageCode).get("text")).isEqualTo(Messages.t(lang, "input.too_long"));
        deliver(Updates.edited(Updates.nextId(), user, "/balance")).statusCode(200);
        assertThat(send(user, Updates.sticker(Updates.nextId(), user)).get("text")).isEqualTo(Messages.t(lang, "input.not_text"));

        // /language switches with buttons; from then on the bot speaks the other language, even to /start
        Map<String, String> choose = say(user, "/language", languageCode);
        assertThat(choose.get("reply_markup")).contains("\"callback_data\":\"lang:en\"").contains("\"callback_data\":\"lang:ru\"")
                .contains("Русский").contains("English");
        Lang other = lang == Lang.EN ? Lang.RU : Lang.EN;
        assertThat(press(user, "lang:" + other.code()).get("text")).isEqualTo(Messages.t(other, "language.set"));
        assertThat(say(user, "/balance", languageCode).get("text")).startsWith(Messages.t(other, "balance.line",
                "balance", "$4.049"));
        assertThat(say(user, "/start", languageCode).get("text")).startsWith(Messages.t(other, "start.welcome", "name",
                "Ann Lee", "account", account, "balance", "$4.049"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "ru"})
    void shouldAnswerOnlyInPrivateChatsAndSaySo(String languageCode) {
        Lang lang = Lang.fromTelegram(languageCode);
        long user = USERS.incrementAndGet();
        long group = -1_000_000_000L - user;
        deliver(Updates.text(Updates.nextId(), group, "supergroup", user, "/balance", languageCode)).statusCode(200);
        deliver(Updates.text(Updates.nextId(), group, "supergroup", user, "just chatting", languageCode)).statusCode(200);
        deliver(Updates.text(Updates.nextId(), group, "supergroup", user, "/help@kiku_test_bot", languageCode)).statusCode(200);
        List<Map<String, String>> said = awaitMessages(group, 2);
        assertThat(said).extracting(m -> m.get("text")).containsOnly(Messages.t(lang, "group.private_only"));
        String id = "cb-" + UUID.randomUUID();
        deliver(Updates.press(Updates.nextId(), user, "group", id, 7, "m:balance")).statusCode(200);
        assertThat(answer(id)).isEqualTo(Messages.t(Lang.EN, "group.private_only_short"));
        assertThat(backendRequests).noneMatch(r -> r.contains("/by-telegram/" + user));
    }

    private Map<String, String> say(long user, String text, String languageCode) {
        return send(user, Updates.text(Updates.nextId(), user, text, languageCode));
    }

    /** Presses a button and returns the message it brought; its callback was answered once. */
    private Map<String, String> press(long user, String data) {
        String id = "cb-" + UUID.randomUUID();
        Map<String, String> reply = send(user, Updates.press(Updates.nextId(), user, id, 5001, data));
        answer(id);
        assertThat(calls("answerCallbackQuery")).filteredOn(c -> id.equals(c.get("callback_query_id"))).hasSize(1);
        return reply;
    }

    /** Delivers an update and returns the one message (text or photo) it brought to the user's chat. */
    private Map<String, String> send(long user, String update) {
        int before = outgoing(user).size();
        deliver(update).statusCode(200);
        await("a reply to " + user, () -> outgoing(user).size() > before ? true : null);
        return outgoing(user).get(before);
    }

    private String answer(String callbackId) {
        return await("answer to " + callbackId, () -> calls("answerCallbackQuery").stream()
                .filter(c -> callbackId.equals(c.get("callback_query_id"))).findFirst()
                .map(c -> c.getOrDefault("text", "")).orElse(null));
    }

    private List<Map<String, String>> outgoing(long chat) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> c : telegramCalls) {
            String method = c.get(TelegramStub.METHOD);
            if (("sendMessage".equals(method) || "sendPhoto".equals(method)) && Long.toString(chat).equals(c.get("chat_id"))
                    && "200".equals(c.get(TelegramStub.STATUS))) {
                out.add(c);
            }
        }
        return out;
    }

    private void book(long account, String kind, long micros) {
        given().baseUri(billingUrl()).header("Authorization", "Bearer " + internalToken()).contentType(ContentType.JSON)
                .body(Map.of("kind", kind, "amountMicros", micros, "externalRef", kind + "_" + UUID.randomUUID()))
                .post("/internal/v1/accounts/" + account + "/ledger").then().statusCode(200);
    }

    private static long accountId(Map<String, String> welcome) {
        return Long.parseLong(welcome.get("text").replaceAll("(?s)^[^#№]*[#№](\\d+).*", "$1"));
    }

    private static String day(int daysAgo) {
        return LocalDate.now(ZoneOffset.UTC).minusDays(daysAgo).toString();
    }
}
