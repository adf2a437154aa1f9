package ai.kiku.bot.standin;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory conversations of the local Telegram stand-in: what the person typed and what the bot answered. */
@ApplicationScoped
public class StandinChats {

    /**
     * One line of a chat; {@code replyMarkup} is the inline keyboard as Telegram JSON (maps and lists);
     * {@code photoUrl} where the page fetches the message's photo (then {@code text} is its caption), or null.
     */
    public record ChatMessage(int messageId, String from, String text, String parseMode, Object replyMarkup,
                        long date, boolean edited, String photoUrl) {
    }

    private static final int KEEP_PER_CHAT = 200;

    private final Map<Long, Deque<ChatMessage>> chats = new ConcurrentHashMap<>();
    /** Photos by message id; dropped with their message. */
    private final Map<Integer, byte[]> photos = new ConcurrentHashMap<>();
    private final AtomicInteger messageIds = new AtomicInteger(1000);
    // Random start: dedupe keys of update ids outlive a restart of the stand-in by a day.
    private final AtomicInteger updateIds = new AtomicInteger(ThreadLocalRandom.current().nextInt(1, 1 << 30));

    public int nextUpdateId() {
        return updateIds.incrementAndGet();
    }

    public ChatMessage addUser(long chatId, String text) {
        return add(chatId, new ChatMessage(messageIds.incrementAndGet(), "user", text, null, null, now(), false, null));
    }

    public ChatMessage addBot(long chatId, String text, String parseMode, Object replyMarkup) {
        return add(chatId, new ChatMessage(messageIds.incrementAndGet(), "bot", text, parseMode, replyMarkup, now(), false,
                null));
    }

    /** A photo the bot sent (PNG or JPEG bytes) with its caption. */
    public ChatMessage addBotPhoto(long chatId, byte[] photo, String caption, String parseMode, Object replyMarkup) {
        int id = messageIds.incrementAndGet();
        photos.put(id, photo);
        return add(chatId, new ChatMessage(id, "bot", caption == null ? "" : caption, parseMode, replyMarkup, now(),
                false, "/telegram-standin/api/photos/" + id));
    }

    /** The bytes of a photo message, or null. */
    public byte[] photo(int messageId) {
        return photos.get(messageId);
    }

    /** A callback answer's text, shown as a notice in the chat. */
    public void addNotice(long chatId, String text) {
        add(chatId, new ChatMessage(messageIds.incrementAndGet(), "notice", text, null, null, now(), false, null));
    }

    /** Replaces text and/or keyboard of a bot message; null when there is no such message. */
    public ChatMessage edit(long chatId, int messageId, String text, String parseMode, Object replyMarkup) {
        Deque<ChatMessage> chat = chats.get(chatId);
        if (chat == null) {
            return null;
        }
        synchronized (chat) {
            List<ChatMessage> copy = new ArrayList<>(chat);
            for (int i = 0; i < copy.size(); i++) {
                ChatMessage e = copy.get(i);
                if (e.messageId() == messageId && "bot".equals(e.from())) {
                    ChatMessage updated = new ChatMessage(messageId, "bot", text != null ? text : e.text(),
                            text != null ? parseMode : e.parseMode(), replyMarkup, e.date(), true, e.photoUrl());
                    copy.set(i, updated);
                    chat.clear();
                    chat.addAll(copy);
                    return updated;
                }
            }
        }
        return null;
    }

    public List<ChatMessage> messages(long chatId) {
        Deque<ChatMessage> chat = chats.get(chatId);
        if (chat == null) {
            return List.of();
        }
        synchronized (chat) {
            return List.copyOf(chat);
        }
    }

    private ChatMessage add(long chatId, ChatMessage entry) {
        Deque<ChatMessage> chat = chats.computeIfAbsent(chatId, id -> new ArrayDeque<>());
        synchronized (chat) {
            chat.addLast(entry);
            while (chat.size() > KEEP_PER_CHAT) {
                photos.remove(chat.removeFirst().messageId());
            }
        }
        return entry;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
