package ai.kiku.api.client;

import ai.kiku.api.service.PriceList;
import ai.kiku.common.contract.InternalApi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The parts of billing-service's internal API the gateway reads (never on the metered hot path). Its answers
 * are kept as the JSON billing wrote: usage is relayed to the public API byte for byte and cached as text, and
 * the catalogue is read into the contract's {@link ai.kiku.common.contract.Catalogue} by {@code PriceList}.
 */
@RegisterRestClient(configKey = "billing")
@Produces(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface BillingClient {

    /** Usage totals and breakdown of an account, as JSON. */
    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.USAGE)
    Uni<String> usage(@PathParam("id") long accountId, @QueryParam("from") String from,
                      @QueryParam("to") String to, @QueryParam("groupBy") String groupBy);

    /** A page of an account's per-request usage records, as JSON ({@code UsageRecordPage}). */
    @GET
    @Path(InternalApi.ACCOUNTS + InternalApi.USAGE_REQUESTS)
    Uni<String> usageRecords(@PathParam("id") long accountId, @QueryParam("key") Long keyId,
                             @QueryParam("model") String model, @QueryParam("from") String from,
                             @QueryParam("to") String to, @QueryParam("cursor") String cursor,
                             @QueryParam("limit") int limit);

    /** The price catalogue JSON (products, model prices, credit packs). */
    @GET
    @Path(InternalApi.CATALOGUE)
    Uni<String> catalogue();

    /** The service token, read from {@code kiku.internal.token}. */
    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getOptionalValue("kiku.internal.token", String.class).orElse("");
    }
}
