package ai.kiku.billing.rest;

import ai.kiku.common.auth.Callers;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.LedgerPage;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.common.contract.InternalApi;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.UsageReport;
import ai.kiku.billing.service.AccountService;
import ai.kiku.billing.service.ApiKeyService;
import ai.kiku.billing.service.LedgerService;
import ai.kiku.billing.service.UsageReportService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.util.List;

import static ai.kiku.common.auth.InternalCaller.API;
import static ai.kiku.common.auth.InternalCaller.BOT;
import static ai.kiku.common.auth.InternalCaller.WEBHOOK;

/**
 * Service-to-service API used by the bot and webhook services (and api-service for usage). Each method names
 * the callers it serves ({@link Callers}); bot-service manages its users' accounts and keys, webhook-service
 * alone books money, api-service reads.
 */
@Path(InternalApi.ACCOUNTS)
@Tag(name = "internal")
@SecurityRequirement(name = "internalToken")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or unknown internal token (problem+json)")
@APIResponse(responseCode = "403", description = "The calling service may not use this endpoint (problem+json)")
@APIResponse(responseCode = "400", description = "Invalid input; the problem names the field; nothing was written")
public class InternalAccountResource {

    private final AccountService accounts;
    private final ApiKeyService keys;
    private final LedgerService ledger;
    private final UsageReportService usage;

    public InternalAccountResource(AccountService accounts, ApiKeyService keys, LedgerService ledger,
                                   UsageReportService usage) {
        this.accounts = accounts;
        this.keys = keys;
        this.ledger = ledger;
        this.usage = usage;
    }

    @POST
    @Callers(BOT)
    @Operation(summary = "Create (or return) the account of a Telegram user")
    @APIResponseSchema(value = AccountView.class, responseCode = "200", responseDescription = "The account")
    public Uni<AccountView> create(InternalRequests.CreateAccount body) {
        return accounts.create(body);
    }

    @GET
    @Path(InternalApi.BY_TELEGRAM)
    @Callers(BOT)
    @Operation(summary = "The account of a Telegram user")
    @APIResponseSchema(value = AccountView.class, responseCode = "200", responseDescription = "The account")
    @APIResponse(responseCode = "404", description = "No account for this Telegram user")
    public Uni<AccountView> byTelegram(@PathParam("telegramUserId") long telegramUserId) {
        return accounts.getByTelegram(telegramUserId);
    }

    @GET
    @Path(InternalApi.ACCOUNT)
    @Callers({BOT, WEBHOOK})
    @Operation(summary = "An account with its real-time balance")
    @APIResponseSchema(value = AccountView.class, responseCode = "200", responseDescription = "The account")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<AccountView> get(@PathParam("id") long id) {
        return accounts.get(id);
    }

    @POST
    @Path(InternalApi.KEYS)
    @Callers(BOT)
    @ResponseStatus(201)
    @Operation(summary = "Issue an API key; the plaintext is in this answer only")
    @APIResponseSchema(value = ApiKey.class, responseCode = "201", responseDescription = "The new key, with its plaintext")
    public Uni<ApiKey> createKey(@PathParam("id") long id, InternalRequests.CreateKey body) {
        return keys.create(id, body);
    }

    @GET
    @Path(InternalApi.KEYS)
    @Callers({BOT, API})
    @Operation(summary = "List an account's keys (never the plaintext)")
    @APIResponse(responseCode = "200", description = "The keys",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ApiKey.class)))
    public Uni<List<ApiKey>> listKeys(@PathParam("id") long id) {
        return keys.list(id);
    }

    @DELETE
    @Path(InternalApi.KEY)
    @Callers(BOT)
    @Operation(summary = "Revoke a key; effective immediately")
    @APIResponseSchema(value = ApiKey.class, responseCode = "200", responseDescription = "The revoked key")
    public Uni<ApiKey> revokeKey(@PathParam("id") long id, @PathParam("keyId") long keyId) {
        return keys.revoke(id, keyId);
    }

    @PATCH
    @Path(InternalApi.KEY)
    @Callers(BOT)
    @Operation(summary = "Set or clear a key's controls (spend caps, allowed models, expiry, tokens per minute); "
            + "effective immediately")
    @APIResponseSchema(value = ApiKey.class, responseCode = "200", responseDescription = "The key with its controls")
    @APIResponse(responseCode = "404", description = "No such account or key")
    public Uni<ApiKey> updateKey(@PathParam("id") long id, @PathParam("keyId") long keyId,
                                 InternalRequests.UpdateKey body) {
        return keys.updateControls(id, keyId, body);
    }

    @POST
    @Path(InternalApi.LEDGER)
    @Callers(WEBHOOK) // the only service that moves money: payments, refunds, chargebacks
    @Operation(summary = "Book a payment, refund, chargeback, chargeback reversal or adjustment once per externalRef")
    @APIResponseSchema(value = LedgerResult.class, responseCode = "200", responseDescription = "Booked now, or before (applied false)")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<LedgerResult> book(@PathParam("id") long id, InternalRequests.Ledger body) {
        return ledger.book(id, body);
    }

    @GET
    @Path(InternalApi.LEDGER)
    @Callers(BOT)
    @Operation(summary = "Ledger entries, newest first; page with ?before=<nextBefore>&limit=1..200")
    @APIResponseSchema(value = LedgerPage.class, responseCode = "200", responseDescription = "A page of entries")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<LedgerPage> ledger(@PathParam("id") long id, @QueryParam("before") String before,
                                  @QueryParam("limit") String limit) {
        return ledger.page(id, Params.optionalLong("before", before), Params.optionalInt("limit", limit));
    }

    @GET
    @Path(InternalApi.USAGE)
    @Callers({BOT, API})
    @Operation(summary = "Usage roll-up over [from, to) grouped by day, hour, model or key")
    @APIResponseSchema(value = UsageReport.class, responseCode = "200", responseDescription = "The usage")
    public Uni<UsageReport> usage(@PathParam("id") long id, @QueryParam("from") String from,
                                  @QueryParam("to") String to, @QueryParam("groupBy") String groupBy) {
        return usage.report(id, from, to, groupBy);
    }
}
