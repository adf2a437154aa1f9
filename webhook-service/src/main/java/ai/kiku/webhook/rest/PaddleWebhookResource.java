package ai.kiku.webhook.rest;

import ai.kiku.webhook.service.InboxService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Paddle's notification destination. Takes the body as raw bytes (the signature covers exactly
 * those) and answers 200 only once the event is committed to the inbox.
 */
@Path("/webhooks/paddle")
public class PaddleWebhookResource {

    private final InboxService inbox;
    private final Timer ack;

    public PaddleWebhookResource(InboxService inbox, MeterRegistry registry) {
        this.inbox = inbox;
        this.ack = Timer.builder("kiku.webhook.ack").description("Time to verify, store and acknowledge a delivery")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** Any Content-Type and Accept: a delivery must never be refused for its headers (Paddle would retry it for days). */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(@HeaderParam("Paddle-Signature") String signature, byte[] body) {
        long start = System.nanoTime();
        try {
            InboxService.Receipt receipt = inbox.receive(signature, body == null ? new byte[0] : body);
            return Response.ok(receipt, MediaType.APPLICATION_JSON_TYPE).build();
        } finally {
            ack.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
