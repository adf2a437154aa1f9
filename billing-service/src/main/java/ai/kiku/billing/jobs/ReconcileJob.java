package ai.kiku.billing.jobs;

import ai.kiku.billing.model.ReconciliationReport;
import ai.kiku.billing.service.ReconciliationService;
import ai.kiku.billing.service.ReconciliationService.Mode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/** A reconciliation run (scheduled or queued by an operator); stops when its lease is lost. */
@ApplicationScoped
public class ReconcileJob implements JobHandler {

    private final ReconciliationService reconciliation;

    public ReconcileJob(ReconciliationService reconciliation) {
        this.reconciliation = reconciliation;
    }

    @Override
    public String type() {
        return JobQueue.RECONCILE;
    }

    @Override
    public String run(Map<String, String> args, JobLease lease) {
        Long account = args.containsKey("accountId") ? Long.valueOf(args.get("accountId")) : null;
        Mode mode = args.containsKey("mode") ? Mode.valueOf(args.get("mode"))
                : Boolean.parseBoolean(args.get("repair")) ? Mode.REPAIR : Mode.REPORT;
        ReconciliationReport r = reconciliation.run(account, mode, lease::held);
        return "checked " + r.accountsChecked() + ", drifted " + r.accountsWithDrift() + ", |drift| "
                + r.totalDriftMicros() + " micros, repaired " + r.accountsRepaired() + ", credits restored "
                + r.creditsRestored() + ", statuses republished " + r.statusesRepublished() + ", failed "
                + r.accountsFailed();
    }
}
