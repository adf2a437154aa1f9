package ai.kiku.bot.standin;

import ai.kiku.bot.config.BotSetup;
import ai.kiku.bot.rest.TelegramWebhookResource;
import ai.kiku.common.error.ProblemException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The chat page of the local Telegram stand-in: a person types commands, the page POSTs
 * Telegram-shaped updates to {@code /telegram/webhook} with the secret, and polls the bot's
 * replies from here. Local only: it hands the webhook secret to the page.
 */
@Path("/telegram-standin")
public class StandinPageResource {

    /** A message typed on the page. */
    public record Typed(String text) {
    }

    private final BotSetup setup;
    private final StandinChats chats;

    public StandinPageResource(BotSetup setup, StandinChats chats) {
        this.setup = setup;
        this.chats = chats;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String page() {
        requireActive();
        try (InputStream in = getClass().getResourceAsStream("/standin/chat.html")) {
            if (in == null) {
                throw new IllegalStateException("standin/chat.html missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Path("/api/config")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> config() {
        requireActive();
        return Map.of("webhookPath", "/telegram/webhook", "secretHeader", TelegramWebhookResource.SECRET_HEADER,
                "secret", setup.webhookSecret());
    }

    @GET
    @Path("/api/chats/{chatId}/messages")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, List<StandinChats.ChatMessage>> messages(@PathParam("chatId") long chatId) {
        requireActive();
        return Map.of("messages", chats.messages(chatId));
    }

    /** Records what the person typed and hands out the ids its update needs. */
    @POST
    @Path("/api/chats/{chatId}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> typed(@PathParam("chatId") long chatId, Typed typed) {
        requireActive();
        if (typed == null || typed.text() == null || typed.text().isBlank() || typed.text().length() > 4096) {
            throw ProblemException.badRequest("text", "1 to 4096 characters");
        }
        StandinChats.ChatMessage entry = chats.addUser(chatId, typed.text());
        return Map.of("updateId", chats.nextUpdateId(), "messageId", entry.messageId(), "date", entry.date());
    }

    /** A photo the bot sent (the /usage chart), as the page shows it. */
    @GET
    @Path("/api/photos/{messageId}")
    @Produces("image/png")
    public byte[] photo(@PathParam("messageId") int messageId) {
        requireActive();
        byte[] photo = chats.photo(messageId);
        if (photo == null) {
            throw ProblemException.notFound("photo " + messageId);
        }
        return photo;
    }

    /** An update id for a button press. */
    @POST
    @Path("/api/update-ids")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> updateId() {
        requireActive();
        return Map.of("updateId", chats.nextUpdateId());
    }

    private void requireActive() {
        if (!setup.standin()) {
            throw ProblemException.notFound("Telegram stand-in (enable with kiku.local-standins and no bot token)");
        }
    }
}
