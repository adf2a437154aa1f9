package ai.kiku.bot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Telegram-shaped update bodies for tests, and the shared fixtures of Telegram's own samples. */
final class Updates {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger IDS = new AtomicInteger(200_000 + (int) (System.nanoTime() % 100_000));

    private Updates() {
    }

    static int nextId() {
        return IDS.incrementAndGet();
    }

    /** A private-chat text message from user {@code userId}. */
    static String text(int updateId, long userId, String text) {
        return text(updateId, userId, "private", userId, text);
    }

    /** A text message in chat {@code chatId} of type {@code chatType} from user {@code userId}. */
    static String text(int updateId, long chatId, String chatType, long userId, String text) {
        return text(updateId, chatId, chatType, userId, text, "en");
    }

    /** A private-chat text message from a user whose Telegram app is set to {@code languageCode}. */
    static String text(int updateId, long userId, String text, String languageCode) {
        return text(updateId, userId, "private", userId, text, languageCode);
    }

    static String text(int updateId, long chatId, String chatType, long userId, String text, String languageCode) {
        return write(Map.of("update_id", updateId, "message", message(updateId, chatId, chatType, userId,
                languageCode, "text", text)));
    }

    /** A sticker (no text) in the private chat with {@code userId}. */
    static String sticker(int updateId, long userId) {
        return write(Map.of("update_id", updateId, "message", message(updateId, userId, "private", userId, "en",
                "sticker", Map.of("file_id", "CAAD", "file_unique_id", "u1", "type", "regular", "width", 512,
                        "height", 512, "is_animated", false, "is_video", false))));
    }

    /** An edited text message in the private chat with {@code userId}. */
    static String edited(int updateId, long userId, String text) {
        return write(Map.of("update_id", updateId, "edited_message", message(updateId, userId, "private", userId,
                "en", "text", text)));
    }

    private static Map<String, Object> message(int messageId, long chatId, String chatType, long userId,
                                               String languageCode, String field, Object value) {
        return Map.of("message_id", messageId, "date", 1764237600,
                "chat", Map.of("id", chatId, "type", chatType),
                "from", Map.of("id", userId, "is_bot", false, "first_name", "Ann", "last_name", "Lee",
                        "language_code", languageCode),
                field, value);
    }

    /** A button press on message {@code messageId} of the private chat with {@code userId}. */
    static String press(int updateId, long userId, String callbackId, int messageId, String data) {
        return press(updateId, userId, "private", callbackId, messageId, data);
    }

    /** A button press on a message in a chat of type {@code chatType} (the chat id is the user's). */
    static String press(int updateId, long userId, String chatType, String callbackId, int messageId, String data) {
        return write(Map.of("update_id", updateId, "callback_query", Map.of(
                "id", callbackId, "chat_instance", "ci-" + userId, "data", data,
                "from", Map.of("id", userId, "is_bot", false, "first_name", "Ann"),
                "message", Map.of("message_id", messageId, "date", 1764237600,
                        "chat", Map.of("id", chatType.equals("private") ? userId : -userId, "type", chatType)))));
    }

    /** The folder of Telegram's sample updates (../shared/fixtures/telegram), if this checkout has it. */
    static Optional<Path> fixtures() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path candidate : List.of(module.resolve("../../shared/fixtures/telegram"),
                module.resolve("../shared/fixtures/telegram"), Path.of("/work/shared/fixtures/telegram"))) {
            if (Files.isDirectory(candidate.normalize())) {
                return Optional.of(candidate.normalize());
            }
        }
        return Optional.empty();
    }

    /** A fixture as delivered, except for its update_id (both samples use 10000; dedupe would drop one). */
    static String fixture(Path dir, String name, int updateId) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(Files.readString(dir.resolve(name)));
            node.put("update_id", updateId);
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
