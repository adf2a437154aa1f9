package ai.kiku.bot.rest;

import ai.kiku.bot.config.BotSetup;
import ai.kiku.bot.service.UpdateDeduplicator;
import ai.kiku.bot.service.UpdateDispatcher;
import ai.kiku.bot.service.UpdateHandler;
import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.error.JsonProblems;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.utility.BotUtils;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Telegram's webhook. Checks the secret header, parses the update leniently with pengrad, drops
 * repeats of an update_id, and hands the update to a worker so that the 200 goes out at once.
 * Answers 503 when it cannot take the update on, so that Telegram retries it.
 */
@Path("/telegram/webhook")
public class TelegramWebhookResource {

    public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final Logger LOG = Logger.getLogger(TelegramWebhookResource.class);

    private final BearerToken secret;
    private final UpdateDeduplicator dedupe;
    private final UpdateDispatcher dispatcher;
    private final UpdateHandler handler;
    private final MeterRegistry registry;
    private final ObjectMapper json;

    public TelegramWebhookResource(BotSetup setup, UpdateDeduplicator dedupe, UpdateDispatcher dispatcher,
                                   UpdateHandler handler, MeterRegistry registry, ObjectMapper json) {
        this.json = json;
        this.secret = BearerToken.of(Optional.ofNullable(setup.webhookSecret()));
        this.dedupe = dedupe;
        this.dispatcher = dispatcher;
        this.handler = handler;
        this.registry = registry;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam(SECRET_HEADER) String presentedSecret, String body) {
        if (!secret.matches(presentedSecret)) {
            count("unauthorized");
            throw ProblemException.unauthorized("missing or wrong " + SECRET_HEADER);
        }
        Update update = parse(body);
        long updateId = update.updateId();
        boolean first;
        try {
            first = dedupe.firstSighting(updateId);
        } catch (RuntimeException e) {
            LOG.warnf("update %d: dedupe store unavailable: %s", updateId, e.getMessage());
            count("unavailable");
            throw ProblemException.unavailable("cannot record the update right now; retry");
        }
        if (!first) {
            count("duplicate");
            return Response.ok("{}").build();
        }
        if (!dispatcher.submit(UpdateHandler.chatKey(update), () -> handler.handle(update))) {
            dedupe.forget(updateId);
            count("overloaded");
            throw ProblemException.unavailable("too many updates in flight; retry");
        }
        count("accepted");
        return Response.ok("{}").build();
    }

    private Update parse(String body) {
        if (body != null && !body.isBlank()) {
            try {
                // pengrad's Gson lets the last of a repeated field win; refuse what the platform's
                // strict mapper refuses (StrictJsonSyntax) before Gson reads the update
                json.readTree(body);
            } catch (JsonProcessingException e) {
                throw JsonProblems.exception(e);
            }
        }
        Update update;
        try {
            update = body == null || body.isBlank() ? null : BotUtils.parseUpdate(body);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("body", "not a Telegram update (invalid JSON)");
        }
        if (update == null) {
            throw ProblemException.badRequest("body", "not a Telegram update");
        }
        if (update.updateId() == null) {
            throw ProblemException.badRequest("update_id", "update_id is required");
        }
        return update;
    }

    private void count(String outcome) {
        registry.counter("kiku.bot.updates", "outcome", outcome).increment();
    }
}
