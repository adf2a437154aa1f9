package ai.kiku.api.client;

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

/** The parts of billing-service's internal API the gateway reads (never on the metered hot path). */
@RegisterRestClient(configKey = "billing")
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface BillingClient {

    /** Usage totals and breakdown of an account, as JSON. */
    @GET
    @Path("/accounts/{accountId}/usage")
    Uni<String> usage(@PathParam("accountId") long accountId, @QueryParam("from") String from,
                      @QueryParam("to") String to, @QueryParam("groupBy") String groupBy);

    /** The price catalogue JSON (products, model prices, credit packs). */
    @GET
    @Path("/catalogue")
    Uni<String> catalogue();

    /** The service token, read from {@code kiku.internal.token}. */
    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getOptionalValue("kiku.internal.token", String.class).orElse("");
    }
}
