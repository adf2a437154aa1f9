package ai.kiku.webhook.rest;

import ai.kiku.common.auth.Callers;
import ai.kiku.common.auth.InternalCaller;
import ai.kiku.common.contract.Checkout;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests.CreateCheckout;
import ai.kiku.webhook.service.CheckoutService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/** Checkout links for the bot's /topup (bot-service's internal token only). */
@Path(InternalApi.CHECKOUTS)
public class CheckoutResource {

    private final CheckoutService checkouts;

    public CheckoutResource(CheckoutService checkouts) {
        this.checkouts = checkouts;
    }

    @POST
    @Callers(InternalCaller.BOT)
    @ResponseStatus(201)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Checkout create(CreateCheckout request) {
        return checkouts.create(request);
    }
}
