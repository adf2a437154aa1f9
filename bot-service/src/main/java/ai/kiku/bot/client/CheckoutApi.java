package ai.kiku.bot.client;

import ai.kiku.bot.client.Dto.Checkout;
import ai.kiku.bot.client.Dto.CheckoutRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** webhook-service's checkout API (base {@code kiku.webhook.url}): a Paddle checkout for a credit pack. */
@RegisterRestClient(configKey = "webhook")
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
@Path("/internal/v1")
public interface CheckoutApi {

    @POST
    @Path("/checkouts")
    Checkout create(CheckoutRequest body);

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("kiku.internal.token", String.class);
    }
}
