package ai.kiku.bot.client;

import ai.kiku.bot.client.Dto.Account;
import ai.kiku.bot.client.Dto.ApiKey;
import ai.kiku.bot.client.Dto.Catalogue;
import ai.kiku.bot.client.Dto.NewAccount;
import ai.kiku.bot.client.Dto.NewKey;
import ai.kiku.bot.client.Dto.UsageReport;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import java.util.List;

/** billing-service's internal API (base {@code kiku.billing.url}), called with the service token. */
@RegisterRestClient(configKey = "billing")
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
@Path("/internal/v1")
public interface BillingApi {

    @POST
    @Path("/accounts")
    Account createAccount(NewAccount body);

    @GET
    @Path("/accounts/by-telegram/{telegramUserId}")
    Account accountByTelegram(@PathParam("telegramUserId") long telegramUserId);

    @POST
    @Path("/accounts/{accountId}/keys")
    ApiKey createKey(@PathParam("accountId") long accountId, NewKey body);

    @GET
    @Path("/accounts/{accountId}/keys")
    List<ApiKey> keys(@PathParam("accountId") long accountId);

    @DELETE
    @Path("/accounts/{accountId}/keys/{keyId}")
    ApiKey revokeKey(@PathParam("accountId") long accountId, @PathParam("keyId") long keyId);

    @GET
    @Path("/accounts/{accountId}/usage")
    UsageReport usage(@PathParam("accountId") long accountId, @QueryParam("from") String from,
                      @QueryParam("to") String to, @QueryParam("groupBy") String groupBy);

    @GET
    @Path("/catalogue")
    Catalogue catalogue();

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("kiku.internal.token", String.class);
    }
}
