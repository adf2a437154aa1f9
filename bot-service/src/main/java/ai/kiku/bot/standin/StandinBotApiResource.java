package ai.kiku.bot.standin;

import ai.kiku.bot.config.BotSetup;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.multipart.MultipartFormDataInput;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A fake Telegram Bot API for {@code ./kiku up} without a bot token: accepts what pengrad sends
 * (form-encoded, multipart for photos, or JSON like Telegram also accepts), records messages per chat in
 * {@link StandinChats} and answers in Telegram's envelope. Served only when the stand-in is active.
 */
@Path("/telegram-standin/bot{token}/{method}")
public class StandinBotApiResource {

    private static final Set<String> ACCEPTED_NO_OPS = Set.of("setWebhook", "deleteWebhook", "setMyCommands",
            "deleteMyCommands", "sendChatAction", "deleteMessage", "setChatMenuButton", "close", "logOut");

    private final BotSetup setup;
    private final StandinChats chats;
    private final ObjectMapper json;

    public StandinBotApiResource(BotSetup setup, StandinChats chats, ObjectMapper json) {
        this.setup = setup;
        this.chats = chats;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response form(@PathParam("token") String token, @PathParam("method") String method,
                         MultivaluedMap<String, String> form) {
        Map<String, Object> params = new HashMap<>();
        if (form != null) {
            form.forEach((k, v) -> params.put(k, v.isEmpty() ? null : v.get(0)));
        }
        return call(token, method, params);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response json(@PathParam("token") String token, @PathParam("method") String method,
                         Map<String, Object> body) {
        return call(token, method, body == null ? Map.of() : body);
    }

    /** What pengrad sends for files (sendPhoto): text parts as parameters, file parts as bytes. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response multipart(@PathParam("token") String token, @PathParam("method") String method,
                              MultipartFormDataInput input) {
        Map<String, Object> params = new HashMap<>();
        if (input != null) {
            input.getValues().forEach((name, values) -> {
                FormValue v = values.isEmpty() ? null : values.iterator().next();
                if (v == null) {
                    return;
                }
                if (v.isFileItem()) {
                    try (InputStream in = v.getFileItem().getInputStream()) {
                        params.put(name, in.readAllBytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    params.put(name, v.getValue());
                }
            });
        }
        return call(token, method, params);
    }

    private Response call(String token, String method, Map<String, Object> p) {
        if (!setup.standin()) {
            throw ProblemException.notFound("Telegram stand-in (enable with kiku.local-standins and no bot token)");
        }
        if (!BotSetup.STANDIN_TOKEN.equals(token)) {
            return error(401, "Unauthorized");
        }
        return switch (method) {
            case "getMe" -> ok(botUser());
            case "getWebhookInfo" -> ok(Map.of("url", "", "pending_update_count", 0));
            case "sendMessage" -> sendMessage(p);
            case "sendPhoto" -> sendPhoto(p);
            case "editMessageText", "editMessageReplyMarkup" -> edit(method, p);
            case "answerCallbackQuery" -> answerCallback(p);
            default -> ACCEPTED_NO_OPS.contains(method) ? ok(true) : error(404, "Not Found");
        };
    }

    private Response sendMessage(Map<String, Object> p) {
        Long chatId = chatId(p);
        String text = str(p.get("text"));
        if (chatId == null) {
            return error(400, "Bad Request: chat not found");
        }
        if (text == null || text.isBlank()) {
            return error(400, "Bad Request: message text is empty");
        }
        StandinChats.ChatMessage entry = chats.addBot(chatId, text, str(p.get("parse_mode")), markup(p.get("reply_markup")));
        return ok(message(chatId, entry));
    }

    private Response sendPhoto(Map<String, Object> p) {
        Long chatId = chatId(p);
        if (chatId == null) {
            return error(400, "Bad Request: chat not found");
        }
        if (!(p.get("photo") instanceof byte[] photo) || photo.length == 0) {
            return error(400, "Bad Request: there is no photo in the request");
        }
        StandinChats.ChatMessage entry = chats.addBotPhoto(chatId, photo, str(p.get("caption")), str(p.get("parse_mode")),
                markup(p.get("reply_markup")));
        Map<String, Object> m = message(chatId, entry);
        m.remove("text");
        m.put("caption", entry.text());
        m.put("photo", List.of(Map.of("file_id", "standin-" + entry.messageId(), "file_unique_id",
                "u" + entry.messageId(), "width", 1000, "height", 700)));
        return ok(m);
    }

    private Response edit(String method, Map<String, Object> p) {
        Long chatId = chatId(p);
        Integer messageId = intOrNull(p.get("message_id"));
        if (chatId == null || messageId == null) {
            return error(400, "Bad Request: message to edit not found");
        }
        String text = "editMessageText".equals(method) ? str(p.get("text")) : null;
        StandinChats.ChatMessage entry = chats.edit(chatId, messageId, text, str(p.get("parse_mode")),
                markup(p.get("reply_markup")));
        return entry == null ? error(400, "Bad Request: message to edit not found") : ok(message(chatId, entry));
    }

    /** The page makes callback ids {@code cb-<chatId>-<n>} so that the answer can be shown in the right chat. */
    private Response answerCallback(Map<String, Object> p) {
        String id = str(p.get("callback_query_id"));
        String text = str(p.get("text"));
        if (id == null) {
            return error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
        }
        String[] parts = id.split("-");
        if (text != null && parts.length == 3 && "cb".equals(parts[0])) {
            try {
                chats.addNotice(Long.parseLong(parts[1]), text);
            } catch (NumberFormatException ignored) {
                // an id not made by the page: nothing to show
            }
        }
        return ok(true);
    }

    private Map<String, Object> message(long chatId, StandinChats.ChatMessage entry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_id", entry.messageId());
        m.put("from", botUser());
        m.put("chat", Map.of("id", chatId, "type", chatId > 0 ? "private" : "group"));
        m.put("date", entry.date());
        m.put("text", entry.text());
        if (entry.replyMarkup() != null) {
            m.put("reply_markup", entry.replyMarkup());
        }
        return m;
    }

    private Object markup(Object raw) {
        if (raw instanceof String s && !s.isBlank()) {
            try {
                return json.readValue(s, Object.class);
            } catch (Exception e) {
                return null;
            }
        }
        return raw instanceof Map<?, ?> ? raw : null;
    }

    private static Long chatId(Map<String, Object> p) {
        try {
            return p.get("chat_id") == null ? null : Long.valueOf(str(p.get("chat_id")));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer intOrNull(Object o) {
        try {
            return o == null ? null : Integer.valueOf(o.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static Map<String, Object> botUser() {
        return Map.of("id", 100000000L, "is_bot", true, "first_name", "KikuAI (local)", "username", "kiku_local_bot");
    }

    private static Response ok(Object result) {
        return Response.ok(Map.of("ok", true, "result", result)).type(MediaType.APPLICATION_JSON).build();
    }

    private static Response error(int code, String description) {
        return Response.status(code).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("ok", false, "error_code", code, "description", description)).build();
    }
}
