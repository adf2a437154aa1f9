package ai.kiku.billing.rest;

import ai.kiku.billing.model.DeadLetterPage;
import ai.kiku.billing.usage.DeadLetters;
import ai.kiku.common.error.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' view of usage entries the consumer parked because PostgreSQL will never accept them. */
@Path("/admin/v1/usage")
@Tag(name = "admin")
@SecurityRequirement(name = "adminToken")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or wrong admin token (problem+json)")
public class AdminUsageResource {

    private static final int MAX_LIMIT = 1000;

    private final DeadLetters dead;

    public AdminUsageResource(DeadLetters dead) {
        this.dead = dead;
    }

    @GET
    @Path("/dead-letters")
    @Operation(summary = "Dead-lettered usage entries of all partitions, newest first, with why and whether the "
            + "ledger kept the charge")
    @APIResponse(responseCode = "400", description = "limit is not a whole number from 1 to 1000")
    public Uni<DeadLetterPage> deadLetters(@QueryParam("limit") String limit) {
        Long n = Params.optionalLong("limit", limit);
        if (n != null && (n < 1 || n > MAX_LIMIT)) {
            throw ProblemException.badRequest("limit", "must be from 1 to " + MAX_LIMIT);
        }
        return dead.newest(n == null ? 100 : n.intValue());
    }
}
