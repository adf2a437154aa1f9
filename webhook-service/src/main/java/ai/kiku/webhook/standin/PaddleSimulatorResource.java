package ai.kiku.webhook.standin;

import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.error.ProblemException;
import ai.kiku.webhook.client.PaddleClient;
import ai.kiku.webhook.client.PaddleTransaction;
import ai.kiku.webhook.standin.PaddleSimulator.SimTransaction;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * HTTP face of the local Paddle simulator: Paddle's {@code POST /transactions} (under
 * {@code /paddle-sim}) and the checkout page with its "Pay" button. 404 unless the simulator is active.
 */
@Path("/paddle-sim")
public class PaddleSimulatorResource {

    private static final Logger LOG = Logger.getLogger(PaddleSimulatorResource.class);

    private final PaddleSimulator simulator;

    public PaddleSimulatorResource(PaddleSimulator simulator) {
        this.simulator = simulator;
    }

    @POST
    @Path("/transactions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           PaddleTransaction.Create request) {
        requireActive();
        if (!PaddleClient.SIMULATOR_KEY.equals(BearerToken.credentials(authorization))) {
            return paddleError(403, "forbidden", "authentication_malformed");
        }
        return simulator.create(request == null ? new PaddleTransaction.Create(null, null, null) : request)
                .map(txn -> Response.status(201).entity(Map.of("data", new PaddleTransaction.Data(txn.id(), "ready",
                        new PaddleTransaction.HostedCheckout(txn.checkoutUrl())), "meta", Map.of("request_id", "sim")))
                        .build())
                .orElseGet(() -> paddleError(400, "request_error", "invalid_field"));
    }

    @GET
    @Path("/checkout/{transactionId}")
    @Produces(MediaType.TEXT_HTML)
    public String checkout(@PathParam("transactionId") String transactionId) {
        SimTransaction txn = transaction(transactionId);
        StringBuilder rows = new StringBuilder();
        long total = 0;
        for (PaddleTransaction.Item item : txn.items()) {
            long cents = simulator.unitPriceCents(item.priceId()) * item.quantity();
            total += cents;
            rows.append("<tr><td>").append(Html.escape(item.priceId())).append("</td><td>").append(item.quantity())
                    .append("</td><td>USD ").append(Html.cents(cents)).append("</td></tr>");
        }
        return Html.page("Checkout " + txn.id(), "<p>Local Paddle simulator: no real money moves.</p>"
                + "<table><tr><th>price</th><th>quantity</th><th>amount</th></tr>" + rows + "</table>"
                + "<p><b>Total USD " + Html.cents(total) + "</b></p>"
                + "<form method=\"post\" action=\"/paddle-sim/checkout/" + Html.escape(txn.id()) + "/pay\">"
                + "<button type=\"submit\">Pay</button></form>");
    }

    @POST
    @Path("/checkout/{transactionId}/pay")
    @Produces(MediaType.TEXT_HTML)
    public Response pay(@PathParam("transactionId") String transactionId) {
        SimTransaction txn = transaction(transactionId);
        int status;
        try {
            status = simulator.pay(txn);
        } catch (Exception e) {
            LOG.warnf("simulator could not deliver %s: %s", txn.id(), e.toString());
            status = 0;
        }
        if (status / 100 == 2) {
            return Response.ok(Html.page("Paid", "<p>Payment for " + Html.escape(txn.id())
                    + " received. Your credits arrive in a moment; you can close this page.</p>")).build();
        }
        return Response.status(502).entity(Html.page("Payment not delivered", "<p>The webhook answered "
                + status + "; press Pay again to retry.</p>")).type(MediaType.TEXT_HTML).build();
    }

    private SimTransaction transaction(String id) {
        requireActive();
        return simulator.find(id).orElseThrow(() -> ProblemException.notFound("checkout " + id));
    }

    private void requireActive() {
        if (!simulator.active()) {
            throw ProblemException.notFound("resource");
        }
    }

    private static Response paddleError(int status, String type, String code) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error",
                Map.of("type", type, "code", code, "detail", "refused by the local Paddle simulator"))).build();
    }
}
