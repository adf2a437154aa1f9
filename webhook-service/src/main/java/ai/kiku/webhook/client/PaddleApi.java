package ai.kiku.webhook.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The one Paddle Billing API call we make (Paddle has no Java SDK). Built by {@link PaddleClient}. */
@Path("/transactions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface PaddleApi {

    /** {@code POST /transactions}: a transaction of status ready with a checkout URL to pay it. */
    @POST
    PaddleTransaction.Envelope createTransaction(@HeaderParam("Authorization") String bearer,
                                                 PaddleTransaction.Create request);
}
