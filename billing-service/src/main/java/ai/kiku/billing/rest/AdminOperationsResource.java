package ai.kiku.billing.rest;

import ai.kiku.billing.jobs.JobQueue;
import ai.kiku.billing.model.JobView;
import ai.kiku.billing.model.ReconciliationReport;
import ai.kiku.billing.model.Requests;
import ai.kiku.billing.service.ReconciliationService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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

import java.util.HashMap;
import java.util.Map;

/** Operators' API for reconciliation and background jobs (the catalogue: {@link AdminCatalogueResource}). */
@Path("/admin/v1")
@Tag(name = "admin")
@SecurityRequirement(name = "adminToken")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "Missing or wrong admin token (problem+json)")
public class AdminOperationsResource {

    private final ReconciliationService reconciliation;
    private final JobQueue jobs;

    public AdminOperationsResource(ReconciliationService reconciliation, JobQueue jobs) {
        this.reconciliation = reconciliation;
        this.jobs = jobs;
    }

    /** Blocking (runs on a worker thread): walks every account. */
    @GET
    @Path("/reconciliation")
    @Operation(summary = "Compare Redis balances with the ledger now; lists drifted accounts (optionally one account)")
    public ReconciliationReport report(@QueryParam("accountId") String accountId) {
        return reconciliation.run(Params.optionalLong("accountId", accountId), ReconciliationService.Mode.REPORT);
    }

    @POST
    @Path("/reconciliation/repair")
    @Operation(summary = "Repair drift (PostgreSQL wins) for one account or all: lost credits and statuses are "
            + "restored, drifted balances overwritten from the ledger, each leaving a ledger entry")
    public ReconciliationReport repair(Requests.Repair body) {
        return reconciliation.run(body == null ? null : body.accountId(), ReconciliationService.Mode.REPAIR);
    }

    @POST
    @Path("/reconciliation/runs")
    @ResponseStatus(202)
    @Operation(summary = "Queue a reconciliation run on the job queue; poll /admin/v1/jobs/{jobId}. Without repair "
            + "it restores lost credits and statuses and reports balance drift, as the scheduled run does")
    public Uni<JobView> queueRun(@QueryParam("repair") boolean repair) {
        Map<String, String> args = new HashMap<>();
        args.put("mode", (repair ? ReconciliationService.Mode.REPAIR : ReconciliationService.Mode.AUTO).name());
        return jobs.enqueue(JobQueue.RECONCILE, args);
    }

    @GET
    @Path("/jobs/{jobId}")
    @Operation(summary = "State of a background job (queued, running, retrying, done, dead)")
    @APIResponse(responseCode = "404", description = "Unknown or expired job")
    public Uni<JobView> job(@PathParam("jobId") String jobId) {
        return jobs.get(jobId);
    }
}
