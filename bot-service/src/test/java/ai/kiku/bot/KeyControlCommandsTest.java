package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.bot.stub.TelegramStub;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key's own limits from the chat (issue 16, docs/key-controls.md), through the webhook in both languages:
 * /keycap, /keymonthly, /keymodels, /keyexpiry and /keytpm set them (billing's PATCH), /keys shows them (and a
 * limits button per key shows them with the commands to change them),
 * off/all/never lift them; bad amounts, unknown models, past dates, other people's keys and revoked keys get
 * a polite answer without a PATCH, and billing's 400 is relayed with its detail.
 */
@QuarkusTest
@WithTestResource(BotInfra.class)
@WithTestResource(EdgeStubsResource.class)
class KeyControlCommandsTest extends BotTestSupport {

    private static final AtomicLong USERS = new AtomicLong(9_000_000 + System.nanoTime() % 1_000_000 * 10);

    @ParameterizedTest
    @ValueSource(strings = {"en", "ru-RU"})
    void shouldSetShowAndLiftEveryControlOfOwnKey(String languageCode) {
        Lang lang = Lang.fromTelegram(languageCode);
        long user = USERS.incrementAndGet();
        say(user, "/start", languageCode);
        long keyId = newKey(user, "ci", languageCode);
        assertThat(say(user, "/keys", languageCode).get("text")).doesNotContain(limitsPrefix(lang));

        LocalDate expiry = LocalDate.now(ZoneOffset.UTC).plusYears(3);
        String cap = Messages.t(lang, "keys.ctl.cap", "amount", "$25.00");
        String monthly = Messages.t(lang, "keys.ctl.monthly", "amount", "$10.500001");
        String models = Messages.t(lang, "keys.ctl.models", "models", "local-echo, big-model");
        String expires = Messages.t(lang, "keys.ctl.expires", "date", expiry + " 00:00 UTC");
        String tpm = Messages.t(lang, "keys.ctl.tpm", "tokens", "20\u202f000");
        assertThat(say(user, "/keycap " + keyId + " 25", languageCode).get("text")).isEqualTo(done(lang, keyId, cap));
        assertThat(say(user, "/keymonthly #" + keyId + " $10,500001", languageCode).get("text"))
                .isEqualTo(done(lang, keyId, cap + " · " + monthly));
        assertThat(say(user, "/keymodels " + keyId + " local-echo, big-model,local-echo", languageCode).get("text"))
                .isEqualTo(done(lang, keyId, cap + " · " + monthly + " · " + models));
        assertThat(say(user, "/keyexpiry " + keyId + " " + expiry, languageCode).get("text"))
                .isEqualTo(done(lang, keyId, cap + " · " + monthly + " · " + models + " · " + expires));
        String all = cap + " · " + monthly + " · " + models + " · " + expires + " · " + tpm;
        assertThat(say(user, "/keytpm " + keyId + " 20000", languageCode).get("text")).isEqualTo(done(lang, keyId, all));
        Map<String, String> keys = say(user, "/keys", languageCode);
        assertThat(keys.get("text")).contains(Messages.t(lang, "keys.controls", "controls", all));
        assertThat(keys.get("reply_markup")).contains("\"callback_data\":\"kc:" + keyId + "\"")
                .contains(Messages.t(lang, "button.key_limits", "id", keyId));
        assertThat(press(user, "kc:" + keyId).get("text"))
                .isEqualTo(Messages.t(lang, "keyctl.show", "id", keyId, "name", "ci", "controls", all))
                .contains("<code>/keycap " + keyId + " 25</code>");
        assertThat(patches()).hasSize(5).allMatch(p -> p.endsWith("/keys/" + keyId));

        assertThat(say(user, "/keycap " + keyId + " off", languageCode).get("text"))
                .isEqualTo(done(lang, keyId, monthly + " · " + models + " · " + expires + " · " + tpm));
        say(user, "/keymonthly " + keyId + " OFF", languageCode);
        say(user, "/keymodels " + keyId + " all", languageCode);
        assertThat(say(user, "/keyexpiry " + keyId + " never", languageCode).get("text")).isEqualTo(done(lang, keyId, tpm));
        assertThat(say(user, "/keytpm " + keyId + " off", languageCode).get("text"))
                .isEqualTo(done(lang, keyId, Messages.t(lang, "keyctl.none")));
        assertThat(say(user, "/keys", languageCode).get("text")).doesNotContain(limitsPrefix(lang));
        assertThat(patches()).hasSize(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "ru"})
    void shouldAnswerBadInputPolitelyWithoutChangingTheKey(String languageCode) {
        Lang lang = Lang.fromTelegram(languageCode);
        long user = USERS.incrementAndGet();
        say(user, "/start", languageCode);
        long keyId = newKey(user, "ci", languageCode);
        long stranger = USERS.incrementAndGet();
        say(stranger, "/start", languageCode);
        long strangersKey = newKey(stranger, "theirs", languageCode);
        String past = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("/keycap " + keyId + " -1", bad(lang, "keyctl.bad_amount", "keycap"));
        refusals.put("/keycap " + keyId + " 1.0000001", bad(lang, "keyctl.bad_amount", "keycap"));
        refusals.put("/keymonthly " + keyId + " 1e3", bad(lang, "keyctl.bad_amount", "keymonthly"));
        refusals.put("/keymonthly " + keyId + " -0.5", bad(lang, "keyctl.bad_amount", "keymonthly"));
        refusals.put("/keymodels " + keyId + " local-echo,gpt-<9>", Messages.t(lang, "keyctl.unknown_model",
                "model", "gpt-&lt;9&gt;") + "\n" + Messages.t(lang, "keyctl.usage.keymodels"));
        refusals.put("/keymodels " + keyId + " ,", bad(lang, "keyctl.no_models", "keymodels"));
        refusals.put("/keyexpiry " + keyId + " " + past, Messages.t(lang, "keyctl.past_date", "date", past)
                + "\n" + Messages.t(lang, "keyctl.usage.keyexpiry"));
        refusals.put("/keyexpiry " + keyId + " " + today, Messages.t(lang, "keyctl.past_date", "date", today)
                + "\n" + Messages.t(lang, "keyctl.usage.keyexpiry"));
        refusals.put("/keyexpiry " + keyId + " 2031-02-30", bad(lang, "keyctl.bad_date", "keyexpiry"));
        refusals.put("/keyexpiry " + keyId + " tomorrow", bad(lang, "keyctl.bad_date", "keyexpiry"));
        refusals.put("/keytpm " + keyId + " 0", bad(lang, "keyctl.bad_tpm", "keytpm"));
        refusals.put("/keytpm " + keyId + " 1000000001", bad(lang, "keyctl.bad_tpm", "keytpm"));
        refusals.put("/keytpm " + keyId + " 99999999999", bad(lang, "keyctl.bad_tpm", "keytpm"));
        refusals.put("/keytpm " + keyId + " 1.5", bad(lang, "keyctl.bad_tpm", "keytpm"));
        refusals.put("/keycap", Messages.t(lang, "keyctl.usage.keycap"));
        refusals.put("/keytpm " + keyId, Messages.t(lang, "keyctl.usage.keytpm"));
        refusals.put("/keymodels abc local-echo", Messages.t(lang, "keyctl.usage.keymodels"));
        refusals.put("/keycap " + strangersKey + " 5", Messages.t(lang, "revoke.no_key", "id", strangersKey));
        refusals.put("/keytpm 99999999 5", Messages.t(lang, "revoke.no_key", "id", 99999999));
        assertThat(press(user, "kc:" + strangersKey).get("text")).isEqualTo(Messages.t(lang, "revoke.no_key", "id", strangersKey));
        for (String forged : List.of("kc:abc", "kc:", "kc:1:2", "kc:99999999999999999999")) {
            String id = "cb-" + UUID.randomUUID();
            deliver(Updates.press(Updates.nextId(), user, id, 5001, forged)).statusCode(200);
            assertThat(await("answer to " + forged, () -> calls("answerCallbackQuery").stream()
                    .filter(c -> id.equals(c.get("callback_query_id"))).findFirst().map(c -> c.get("text")).orElse(null)))
                    .as(forged).isEqualTo(Messages.t(lang, "callback.stale"));
        }
        for (var refusal : refusals.entrySet()) {
            assertThat(say(user, refusal.getKey(), languageCode).get("text")).as(refusal.getKey()).isEqualTo(refusal.getValue());
        }
        assertThat(patches()).isEmpty();

        // above billing's bound ($1,000,000,000): billing's 400 detail, politely
        assertThat(say(user, "/keycap " + keyId + " 1000000000.000001", languageCode).get("text"))
                .isEqualTo(Messages.t(lang, "error.refused",
                        "detail", "spendCapMicros must be between 0 and 1000000000000000 micro-USD"));
        assertThat(say(user, "/keys", languageCode).get("text")).doesNotContain(limitsPrefix(lang));

        // a revoked key keeps no limits worth setting
        say(user, "/revoke " + keyId, languageCode);
        press(user, "rv:y:" + keyId);
        assertThat(say(user, "/keytpm " + keyId + " 5", languageCode).get("text"))
                .isEqualTo(Messages.t(lang, "keyctl.revoked", "id", keyId, "name", "ci"));
        assertThat(press(user, "kc:" + keyId).get("text")).isEqualTo(Messages.t(lang, "keyctl.revoked", "id", keyId, "name", "ci"));
        assertThat(patches()).hasSize(1);
    }

    @Test
    void shouldListTheKeyCommandsInHelpAndInTelegramsMenuInBothLanguages() {
        for (Lang lang : Lang.values()) {
            String help = say(USERS.incrementAndGet(), "/help", lang.code()).get("text");
            assertThat(help).contains("/keycap").contains("/keymonthly").contains("/keymodels").contains("/keyexpiry")
                    .contains("/keytpm");
        }
        List<Map<String, String>> menus = await("setMyCommands", () -> calls("setMyCommands").size() >= 3
                ? calls("setMyCommands") : null);
        for (Lang lang : Lang.values()) {
            assertThat(menus).filteredOn(m -> lang.code().equals(m.get("language_code"))).singleElement()
                    .satisfies(m -> {
                        for (String command : List.of("keycap", "keymonthly", "keymodels", "keyexpiry", "keytpm")) {
                            assertThat(m.get("commands")).contains("\"command\":\"" + command + "\"")
                                    .contains(Messages.t(lang, "menu." + command));
                        }
                    });
        }
    }

    /** The keys this test made ("/keys/<id>"), the only ones whose PATCHes it counts. */
    private final List<String> ownKeys = new ArrayList<>();

    private List<String> patches() {
        return backendRequests.stream().filter(r -> r.startsWith("PATCH ") && ownKeys.stream().anyMatch(r::endsWith))
                .toList();
    }

    private long newKey(long user, String name, String languageCode) {
        String created = say(user, "/newkey " + name, languageCode).get("text");
        long keyId = Long.parseLong(created.replaceAll("(?s)^\\D*(\\d+).*", "$1"));
        ownKeys.add("/keys/" + keyId);
        return keyId;
    }

    private static String done(Lang lang, long keyId, String controls) {
        return Messages.t(lang, "keyctl.done", "id", keyId, "name", "ci", "controls", controls);
    }

    private static String bad(Lang lang, String messageKey, String command) {
        return Messages.t(lang, messageKey) + "\n" + Messages.t(lang, "keyctl.usage." + command);
    }

    private static String limitsPrefix(Lang lang) {
        return Messages.t(lang, "keys.controls").replace("{controls}", "");
    }

    private Map<String, String> say(long user, String text, String languageCode) {
        return send(user, Updates.text(Updates.nextId(), user, text, languageCode));
    }

    private Map<String, String> press(long user, String data) {
        return send(user, Updates.press(Updates.nextId(), user, "cb-" + UUID.randomUUID(), 5001, data));
    }

    /** Delivers an update and returns the one message it brought to the user's chat. */
    private Map<String, String> send(long user, String update) {
        int before = outgoing(user).size();
        deliver(update).statusCode(200);
        await("a reply to " + user, () -> outgoing(user).size() > before ? true : null);
        return outgoing(user).get(before);
    }

    private List<Map<String, String>> outgoing(long chat) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> c : telegramCalls) {
            if ("sendMessage".equals(c.get(TelegramStub.METHOD)) && Long.toString(chat).equals(c.get("chat_id"))
                    && "200".equals(c.get(TelegramStub.STATUS))) {
                out.add(c);
            }
        }
        return out;
    }
}
