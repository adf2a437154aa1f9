package ai.kiku.bot;

import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.testing.RawHttp;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Inputs a fuzzer found to get a 5xx or a dropped connection, on bot-service. */
@QuarkusTest
@WithTestResource(BotInfra.class)
@WithTestResource(EdgeStubsResource.class)
class BadInputTest extends BotTestSupport {

    private static final String BIG = "a".repeat(20_000);

    @Test
    void shouldAnswerALargeFormLikeASmallOne() {
        for (String path : new String[]{"/telegram/webhook", "/telegram-standin/bot123:x/sendMessage",
                "/telegram-standin/api/chats/1/messages", "/telegram-standin/api/update-ids"}) {
            int small = given().header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                    .contentType("application/x-www-form-urlencoded").body("text=x").post(path).statusCode();
            assertThat(small).as(path).isBetween(400, 499);
            given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType("application/x-www-form-urlencoded")
                    .body("text=" + BIG).post(path).then().statusCode(small).contentType(startsWith("application/problem+json"));
            int smallMultipart = given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).multiPart("text", "x")
                    .post(path).statusCode();
            assertThat(smallMultipart).as(path).isBetween(400, 499);
            given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).multiPart("text", BIG).post(path)
                    .then().statusCode(smallMultipart).contentType(startsWith("application/problem+json"));
        }
    }

    @Test
    void shouldRefuseAnUpdateWithARepeatedFieldOrTrailingGarbage() {
        int updateId = Updates.nextId();
        String update = Updates.text(updateId, 7_100_000L + updateId, "/start");
        String repeated = update.replaceFirst("^\\{", "{\"update_id\":" + (updateId + 1) + ",");
        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON).body(repeated)
                .post("/telegram/webhook").then().statusCode(400).contentType(startsWith("application/problem+json"))
                .body("field", equalTo("update_id"));
        for (String tail : new String[]{" x", "}", " {}"}) {
            given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON).body(update + tail)
                    .post("/telegram/webhook").then().statusCode(400).contentType(startsWith("application/problem+json"))
                    .body("field", equalTo("body"));
        }
        assertThat(redis.value(String.class).get("kiku:bot:update:" + updateId)).isNull();
    }

    @Test
    void shouldAcceptAnUpdateWhoseChatOrSenderHasNoIdWithoutA500() {
        int updateId = Updates.nextId();
        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON)
                .body("{\"update_id\":" + updateId + ",\"message\":{\"message_id\":1,\"date\":1764237600,"
                        + "\"chat\":{\"type\":\"private\"},\"from\":{\"id\":5,\"is_bot\":false,\"first_name\":\"A\"},"
                        + "\"text\":\"/help\"}}")
                .post("/telegram/webhook").then().statusCode(200);
        given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON)
                .body("{\"update_id\":" + Updates.nextId() + ",\"callback_query\":{\"id\":\"q\",\"from\":{\"is_bot\":false},"
                        + "\"data\":\"x\"}}")
                .post("/telegram/webhook").then().statusCode(200);
    }

    @Test
    void shouldAnswer431ToHeadersTooLargeForTheServer() throws Exception {
        RawHttp.assertHeadersTooLargeGet431(RestAssured.port, "/q/health/live");
    }

    @Test
    void shouldAnswerAnEmptyContentTypeWithAProblemNotA500() throws Exception {
        // the stand-in's Bot API path is served as JSON and as a form, so RESTEasy parses the media type
        RawHttp.Answer answer = RawHttp.exchange(RestAssured.port, "POST /telegram-standin/bot123:x/getMe HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nContent-Type: \r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        assertThat(answer.status()).as(answer.text()).isEqualTo(400);
        assertThat(answer.text()).contains("application/problem+json").contains("\"field\":\"Content-Type\"");
    }

    @Test
    void shouldNotTakeABearerHeaderForTheWebhookSecret() {
        // bot-service reads no Authorization header: Telegram's secret travels in its own header, compared exactly
        String update = Updates.text(Updates.nextId(), 7_200_000L, "/start");
        for (String header : new String[]{"Bearer " + SECRET, "bearer " + SECRET}) {
            given().header("Authorization", header).contentType(ContentType.JSON).body(update)
                    .post("/telegram/webhook").then().statusCode(401).contentType(startsWith("application/problem+json"));
        }
        given().header("X-Telegram-Bot-Api-Secret-Token", "Bearer " + SECRET).contentType(ContentType.JSON).body(update)
                .post("/telegram/webhook").then().statusCode(401);
    }
}
