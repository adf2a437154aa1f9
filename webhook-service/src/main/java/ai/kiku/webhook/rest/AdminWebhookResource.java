package ai.kiku.webhook.rest;

import ai.kiku.common.error.ProblemException;
import ai.kiku.webhook.repository.Inbox;
import ai.kiku.webhook.repository.InboxException;
import ai.kiku.webhook.repository.InboxRow;
import ai.kiku.webhook.service.EventProcessor;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.List;

/** Operator view of the inbox (admin token): dead-lettered and held events, and replay. */
@Path("/admin/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class AdminWebhookResource {

    private static final Logger LOG = Logger.getLogger(AdminWebhookResource.class);
    private static final int MAX_LIMIT = 500;

    private final Inbox inbox;
    private final EventProcessor processor;

    public AdminWebhookResource(Inbox inbox, EventProcessor processor) {
        this.inbox = inbox;
        this.processor = processor;
    }

    /** An inbox row without its payload. */
    public record EventView(String eventId, String eventType, String entityId, String status, int attempts,
                            String lastError, Long accountId, OffsetDateTime occurredAt, OffsetDateTime receivedAt,
                            OffsetDateTime nextAttemptAt, OffsetDateTime processedAt) {
        static EventView of(InboxRow r) {
            return new EventView(r.eventId(), r.eventType(), r.entityId(), r.status(), r.attempts(), r.lastError(),
                    r.accountId(), r.occurredAt(), r.receivedAt(), r.nextAttemptAt(), r.processedAt());
        }
    }

    @GET
    @Path("/dead")
    public List<EventView> dead(@QueryParam("limit") @DefaultValue("100") int limit) {
        return list("dead", limit);
    }

    @GET
    @Path("/held")
    public List<EventView> held(@QueryParam("limit") @DefaultValue("100") int limit) {
        return list("held", limit);
    }

    @GET
    @Path("/{eventId}")
    public EventView one(@PathParam("eventId") String eventId) {
        try {
            return inbox.find(eventId).map(EventView::of)
                    .orElseThrow(() -> ProblemException.notFound("event " + eventId));
        } catch (InboxException e) {
            throw unavailable(e);
        }
    }

    /** Queues the event again with fresh attempts; safe for any event, since billing books a reference once. */
    @POST
    @Path("/{eventId}/replay")
    public EventView replay(@PathParam("eventId") String eventId) {
        try {
            InboxRow row = inbox.replay(eventId).orElseThrow(() -> ProblemException.notFound("event " + eventId));
            LOG.infof("operator replay of Paddle event %s (%s)", eventId, row.eventType());
            processor.nudge(eventId);
            return EventView.of(row);
        } catch (InboxException e) {
            throw unavailable(e);
        }
    }

    private List<EventView> list(String status, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        try {
            return inbox.list(status, limit).stream().map(EventView::of).toList();
        } catch (InboxException e) {
            throw unavailable(e);
        }
    }

    private static ProblemException unavailable(InboxException e) {
        LOG.warnf("inbox unavailable: %s", e.getMessage());
        return ProblemException.unavailable("the inbox database is unavailable");
    }
}
