package ai.kiku.webhook.rest;

import ai.kiku.webhook.service.CheckoutService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Checkout links for the bot's /topup (internal token). */
@Path("/internal/v1/checkouts")
public class CheckoutResource {

    private final CheckoutService checkouts;

    public CheckoutResource(CheckoutService checkouts) {
        this.checkouts = checkouts;
    }

    @POST
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CheckoutService.Checkout create(CheckoutService.Request request) {
        return checkouts.create(request);
    }
}
