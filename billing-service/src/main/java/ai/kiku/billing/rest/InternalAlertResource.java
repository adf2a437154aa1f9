package ai.kiku.billing.rest;

import ai.kiku.billing.model.Requests;
import ai.kiku.billing.service.AccountService;
import ai.kiku.billing.service.Check;
import ai.kiku.common.auth.Callers;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.error.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import static ai.kiku.common.auth.InternalCaller.BOT;

/**
 * The user's own low-balance threshold, set from the bot's /alert: the same change as the operators'
 * account update (saved, published to Redis, notified once per crossing), limited to what a user may ask.
 */
@Path(InternalApi.ACCOUNTS + InternalApi.LOW_BALANCE_THRESHOLD)
@Tag(name = "internal")
@SecurityRequirement(name = "internalToken")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or unknown internal token (problem+json)")
@APIResponse(responseCode = "403", description = "The calling service may not use this endpoint (problem+json)")
@APIResponse(responseCode = "400", description = "Invalid input; the problem names the field; nothing was written")
public class InternalAlertResource {

    /** $10,000: the highest threshold a user may set for themselves. */
    static final long MAX_USER_THRESHOLD_MICROS = 10_000_000_000L;

    private final AccountService accounts;

    public InternalAlertResource(AccountService accounts) {
        this.accounts = accounts;
    }

    @PUT
    @Callers(BOT)
    @Operation(summary = "Set the account's low-balance threshold (0 to $10,000 in micro-dollars)")
    @APIResponseSchema(value = AccountView.class, responseCode = "200", responseDescription = "The account")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<AccountView> set(@PathParam("id") long id, InternalRequests.LowBalanceThreshold body) {
        Check.body(body);
        Long micros = body.lowBalanceThresholdMicros();
        if (micros == null || micros < 0 || micros > MAX_USER_THRESHOLD_MICROS) {
            throw ProblemException.badRequest("lowBalanceThresholdMicros",
                    "lowBalanceThresholdMicros must be between 0 and " + MAX_USER_THRESHOLD_MICROS);
        }
        return accounts.update(id, new Requests.UpdateAccount(null, micros, null));
    }
}
