package ai.kiku.bot.client;

import ai.kiku.common.contract.Checkout;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests.CreateCheckout;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** webhook-service's checkout API (base {@code kiku.webhook.url}): a Paddle checkout for a credit pack. */
@RegisterRestClient(configKey = "webhook")
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface CheckoutApi {

    @POST
    @Path(InternalApi.CHECKOUTS)
    Checkout create(CreateCheckout body);

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("kiku.internal.token", String.class);
    }
}
