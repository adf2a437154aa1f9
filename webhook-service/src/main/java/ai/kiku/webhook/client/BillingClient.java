package ai.kiku.webhook.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * billing-service's internal API, the only way this service moves money: billing dedupes ledger
 * entries on {@code externalRef}, so repeating a call after a crash or timeout books nothing twice.
 */
@RegisterRestClient(configKey = "billing")
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface BillingClient {

    @GET
    @Path("/catalogue")
    CatalogueView catalogue();

    @GET
    @Path("/accounts/{accountId}")
    AccountView account(@PathParam("accountId") long accountId);

    @POST
    @Path("/accounts/{accountId}/ledger")
    LedgerResult ledger(@PathParam("accountId") long accountId, LedgerRequest request);

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getOptionalValue("kiku.internal.token", String.class).orElse("");
    }
}
