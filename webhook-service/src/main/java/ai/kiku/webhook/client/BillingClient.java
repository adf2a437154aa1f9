package ai.kiku.webhook.client;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerResult;
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
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface BillingClient {

    @GET
    @Path(InternalApi.CATALOGUE)
    Catalogue catalogue();

    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.ACCOUNT)
    AccountView account(@PathParam("id") long accountId);

    @POST
    @Path(InternalApi.ACCOUNTS + InternalApi.LEDGER)
    LedgerResult ledger(@PathParam("id") long accountId, InternalRequests.Ledger request);

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getOptionalValue("kiku.internal.token", String.class).orElse("");
    }
}
