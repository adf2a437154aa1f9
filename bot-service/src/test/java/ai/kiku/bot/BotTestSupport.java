package ai.kiku.bot;

import ai.kiku.bot.stub.EdgeStubsResource;
import ai.kiku.bot.stub.TelegramStub;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.redis.datasource.RedisDataSource;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Helpers of the bot's end-to-end tests: deliver updates, publish events, read what reached Telegram. */
abstract class BotTestSupport {

    static final String SECRET = "test-webhook-secret";

    /** Injected by {@link EdgeStubsResource}. */
    List<Map<String, String>> telegramCalls;
    Queue<Map<String, String>> telegramScript;
    List<String> backendRequests;

    @Inject
    RedisDataSource redis;

    ValidatableResponse deliver(String update) {
        return given().header("X-Telegram-Bot-Api-Secret-Token", SECRET).contentType(ContentType.JSON).body(update)
                .post("/telegram/webhook").then();
    }

    String publish(NotifyEvent event) {
        return redis.stream(String.class).xadd(KeySchema.NOTIFY_STREAM, event.toFields());
    }

    List<Map<String, String>> calls(String method) {
        return telegramCalls.stream().filter(c -> method.equals(c.get(TelegramStub.METHOD))).toList();
    }

    /** Waits for {@code count} delivered messages to the chat, and checks that there are not more. */
    List<Map<String, String>> awaitMessages(long chatId, int count) {
        Supplier<List<Map<String, String>>> delivered = () -> calls("sendMessage").stream()
                .filter(c -> Long.toString(chatId).equals(c.get("chat_id")) && "200".equals(c.get(TelegramStub.STATUS)))
                .toList();
        await(count + " messages to " + chatId, () -> delivered.get().size() >= count ? true : null);
        assertThat(delivered.get()).hasSize(count);
        return delivered.get();
    }

    /** Waits until none of the stream entries is pending in group {@code bot} any more. */
    void awaitAcknowledged(String... entryIds) {
        await("acknowledged " + List.of(entryIds), () -> {
            var pending = redis.execute("XPENDING", KeySchema.NOTIFY_STREAM, "bot", "-", "+", "1000");
            for (var p : pending) {
                if (List.of(entryIds).contains(p.get(0).toString())) {
                    return null;
                }
            }
            return true;
        });
    }

    static <T> T await(String what, Supplier<T> probe) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    static String billingUrl() {
        return ConfigProvider.getConfig().getValue("kiku.billing.url", String.class);
    }

    static String internalToken() {
        return ConfigProvider.getConfig().getValue("kiku.internal.token", String.class);
    }
}
