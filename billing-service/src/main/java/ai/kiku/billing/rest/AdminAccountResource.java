package ai.kiku.billing.rest;

import ai.kiku.billing.jobs.JobQueue;
import ai.kiku.billing.model.AccountDetail;
import ai.kiku.common.contract.AccountView;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.billing.model.JobView;
import ai.kiku.billing.model.AdminLedgerPage;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.billing.model.Requests;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.UsageReport;
import ai.kiku.billing.service.AccountService;
import ai.kiku.billing.service.ApiKeyService;
import ai.kiku.billing.service.LedgerService;
import ai.kiku.billing.service.RebuildService;
import ai.kiku.billing.service.UsageReportService;
import ai.kiku.common.money.RebuildResult;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

import java.util.List;
import java.util.Map;

/** Operators' API for accounts, keys, adjustments (booked under the verified operator), ledger and Redis rebuilds. */
@Path("/admin/v1/accounts")
@Tag(name = "admin")
@SecurityRequirement(name = "adminToken")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or wrong admin token (problem+json)")
@APIResponse(responseCode = "400", description = "Invalid input; the problem names the field; nothing was written")
public class AdminAccountResource {

    private final AccountService accounts;
    private final ApiKeyService keys;
    private final LedgerService ledger;
    private final UsageReportService usage;
    private final RebuildService rebuild;
    private final JobQueue jobs;
    private final AdminOperator verified;

    public AdminAccountResource(AccountService accounts, ApiKeyService keys, LedgerService ledger,
                                UsageReportService usage, RebuildService rebuild, JobQueue jobs,
                                AdminOperator verified) {
        this.verified = verified;
        this.accounts = accounts;
        this.keys = keys;
        this.ledger = ledger;
        this.usage = usage;
        this.rebuild = rebuild;
        this.jobs = jobs;
    }

    @POST
    @Operation(summary = "Create the account of a Telegram user (idempotent on telegramUserId)")
    public Uni<AccountView> create(InternalRequests.CreateAccount body) {
        return accounts.create(body);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Account status, real-time balance, open holds and ledger totals")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<AccountDetail> get(@PathParam("id") long id) {
        return accounts.detail(id);
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change status, low-balance threshold or default rate limit; published to Redis at once")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<AccountView> update(@PathParam("id") long id, Requests.UpdateAccount body) {
        return accounts.update(id, body);
    }

    @POST
    @Path("/{id}/keys")
    @ResponseStatus(201)
    @Operation(summary = "Issue an API key; the plaintext is in this answer only")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<ApiKey> createKey(@PathParam("id") long id, InternalRequests.CreateKey body) {
        return keys.create(id, body);
    }

    @GET
    @Path("/{id}/keys")
    @Operation(summary = "List an account's keys (prefix, name, rate limit, status, times; never the key)")
    public Uni<List<ApiKey>> listKeys(@PathParam("id") long id) {
        return keys.list(id);
    }

    @DELETE
    @Path("/{id}/keys/{keyId}")
    @Operation(summary = "Revoke a key; metered calls with it fail immediately")
    @APIResponse(responseCode = "404", description = "No such account or key")
    public Uni<ApiKey> revokeKey(@PathParam("id") long id, @PathParam("keyId") long keyId) {
        return keys.revoke(id, keyId);
    }

    @PATCH
    @Path("/{id}/keys/{keyId}")
    @Operation(summary = "Set or clear a key's controls (spend caps, allowed models, expiry, tokens per minute); "
            + "published to Redis at once")
    @APIResponse(responseCode = "404", description = "No such account or key")
    public Uni<ApiKey> updateKey(@PathParam("id") long id, @PathParam("keyId") long keyId,
                                 InternalRequests.UpdateKey body) {
        return keys.updateControls(id, keyId, body);
    }

    @POST
    @Path("/{id}/adjustments")
    @Operation(summary = "Manual credit (positive) or debit (negative), applied once per idempotencyKey; booked under "
            + "the operator the token belongs to (X-Operator: a note beside the shared token's name, 400 if it contradicts "
            + "a named token)")
    @APIResponse(responseCode = "404", description = "No such account")
    public Uni<LedgerResult> adjust(@PathParam("id") long id, @HeaderParam(AdminOperator.HEADER) String claimed,
                                    Requests.Adjustment body) {
        return ledger.adjust(id, body, verified.recorded(claimed));
    }

    @GET
    @Path("/{id}/ledger")
    @Operation(summary = "Ledger entries, newest first, with who booked each adjustment (bookedBy); page with "
            + "?before=<nextBefore>&limit=1..200")
    public Uni<AdminLedgerPage> ledger(@PathParam("id") long id, @QueryParam("before") String before,
                                       @QueryParam("limit") String limit) {
        return ledger.adminPage(id, Params.optionalLong("before", before), Params.optionalInt("limit", limit));
    }

    @GET
    @Path("/{id}/usage")
    @Operation(summary = "Usage roll-up over [from, to) grouped by day, hour, model or key")
    public Uni<UsageReport> usage(@PathParam("id") long id, @QueryParam("from") String from,
                                  @QueryParam("to") String to, @QueryParam("groupBy") String groupBy) {
        return usage.report(id, from, to, groupBy);
    }

    @POST
    @Path("/{id}/rebuild")
    @Operation(summary = "Overwrite the account's Redis state (balance, status, threshold, refs, keys) from PostgreSQL")
    public Uni<RebuildResult> rebuild(@PathParam("id") long id) {
        return rebuild.rebuild(id);
    }

    @POST
    @Path("/rebuild")
    @ResponseStatus(202)
    @Operation(summary = "Queue a rebuild of every account's Redis state (after a Redis failover); poll /admin/v1/jobs/{jobId}")
    public Uni<JobView> rebuildAll() {
        return jobs.enqueue(JobQueue.REBUILD_ALL, Map.of());
    }
}
