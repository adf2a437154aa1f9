package ai.kiku.bot.client;

import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerPage;
import ai.kiku.common.contract.UsageReport;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
public interface BillingApi {

    @POST
    @Path(InternalApi.ACCOUNTS)
    AccountView createAccount(InternalRequests.CreateAccount body);

    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.BY_TELEGRAM)
    AccountView accountByTelegram(@PathParam("telegramUserId") long telegramUserId);

    @POST
    @Path(InternalApi.ACCOUNTS + InternalApi.KEYS)
    ApiKey createKey(@PathParam("id") long accountId, InternalRequests.CreateKey body);

    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.KEYS)
    List<ApiKey> keys(@PathParam("id") long accountId);

    @DELETE
    @Path(InternalApi.ACCOUNTS + InternalApi.KEY)
    ApiKey revokeKey(@PathParam("id") long accountId, @PathParam("keyId") long keyId);

    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.USAGE)
    UsageReport usage(@PathParam("id") long accountId, @QueryParam("from") String from,
                      @QueryParam("to") String to, @QueryParam("groupBy") String groupBy);

    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.LEDGER)
    LedgerPage ledger(@PathParam("id") long accountId, @QueryParam("before") Long before,
                      @QueryParam("limit") int limit);

    @PUT
    @Path(InternalApi.ACCOUNTS + InternalApi.LOW_BALANCE_THRESHOLD)
    AccountView setLowBalanceThreshold(@PathParam("id") long accountId, InternalRequests.LowBalanceThreshold body);

    @GET
    @Path(InternalApi.CATALOGUE)
    Catalogue catalogue();

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("kiku.internal.token", String.class);
    }
}
