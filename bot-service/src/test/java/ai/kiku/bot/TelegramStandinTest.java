package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.service.Menus;
import ai.kiku.bot.service.Replies;
import ai.kiku.bot.service.UsageChart;
import io.quarkus.test.common.WithTestResource;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The local Telegram stand-in of {@code ./kiku up}: no bot token, local stand-ins on. A message
 * typed on the chat page travels page → webhook → bot → pengrad → fake Bot API → page.
 */
@QuarkusTest
@TestProfile(TelegramStandinTest.Standin.class)
@WithTestResource(BotInfra.class)
class TelegramStandinTest {

    @Inject
    Replies replies;

    /** No token and no secret: the stand-in serves and a secret is generated. */
    public static class Standin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.telegram.bot-token", "", "kiku.telegram.webhook-secret", "",
                    "kiku.local-standins", "true", "kiku.notify.enabled", "false");
        }
    }

    @Test
    void shouldShowTheBotsReplyToACommandTypedOnTheChatPage() {
        given().get("/telegram-standin/").then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("local Telegram stand-in"));
        JsonPath config = given().get("/telegram-standin/api/config").then().statusCode(200).extract().jsonPath();
        assertThat(config.getString("secret")).hasSizeGreaterThanOrEqualTo(32);

        long chat = 777_001;
        JsonPath ids = given().contentType(ContentType.JSON).body(Map.of("text", "/help"))
                .post("/telegram-standin/api/chats/" + chat + "/messages").then().statusCode(200).extract().jsonPath();
        Map<String, Object> update = Map.of("update_id", ids.getInt("updateId"), "message", Map.of(
                "message_id", ids.getInt("messageId"), "date", ids.getLong("date"), "text", "/help",
                "chat", Map.of("id", chat, "type", "private"),
                "from", Map.of("id", chat, "is_bot", false, "first_name", "Local")));
        given().header(config.getString("secretHeader"), config.getString("secret")).contentType(ContentType.JSON)
                .body(update).post(config.getString("webhookPath")).then().statusCode(200);

        List<Map<String, Object>> messages = awaitMessages(chat, 2);
        assertThat(messages.get(0)).containsEntry("from", "user").containsEntry("text", "/help");
        assertThat(messages.get(1)).containsEntry("from", "bot").containsEntry("parseMode", "HTML");
        assertThat((String) messages.get(1).get("text")).startsWith("KikuAI — pay-as-you-go AI API.")
                .contains("/balance — your balance");
        assertThat(String.valueOf(messages.get(1).get("replyMarkup"))).contains("callback_data=m:balance");
    }

    @Test
    void shouldShowAPhotoWithItsCaptionAndButtonsAsTelegramDoes() {
        long chat = 777_002;
        byte[] png = UsageChart.png(Lang.EN, List.of(), last7Days(), 300, 200);
        replies.photo(chat, png, "<b>Last 7 days</b>", Menus.usageRanges(Lang.EN)); // pengrad's multipart sendPhoto

        List<Map<String, Object>> messages = awaitMessages(chat, 1);
        Map<String, Object> photo = messages.get(0);
        assertThat(photo).containsEntry("from", "bot").containsEntry("text", "<b>Last 7 days</b>")
                .containsEntry("parseMode", "HTML");
        assertThat(String.valueOf(photo.get("replyMarkup"))).contains("callback_data=u:7d").contains("7 days");
        byte[] served = given().get((String) photo.get("photoUrl")).then().statusCode(200).contentType("image/png")
                .extract().asByteArray();
        assertThat(served).isEqualTo(png);
        given().get("/telegram-standin/").then().body(containsString("m.photoUrl"))
                .body(containsString("language-[a-z]+"));
    }

    private static List<java.time.LocalDate> last7Days() {
        java.time.LocalDate today = java.time.LocalDate.now();
        return java.util.stream.IntStream.range(0, 7).mapToObj(i -> today.minusDays(6 - i)).toList();
    }

    @Test
    void shouldRefuseTheFakeBotApiWithAnotherToken() {
        given().contentType(ContentType.URLENC).formParam("chat_id", "1").formParam("text", "hi")
                .post("/telegram-standin/bot123:REAL/sendMessage")
                .then().statusCode(401).body("ok", equalTo(false)).body("error_code", equalTo(401));
    }

    private static List<Map<String, Object>> awaitMessages(long chat, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Map<String, Object>> messages = List.of();
        while (System.nanoTime() < deadline) {
            messages = given().get("/telegram-standin/api/chats/" + chat + "/messages")
                    .then().statusCode(200).extract().jsonPath().getList("messages");
            if (messages.size() >= count) {
                return messages;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("expected " + count + " messages in chat " + chat + ", have " + messages);
    }
}
