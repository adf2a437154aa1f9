package ai.kiku.billing.jobs;

import ai.kiku.billing.model.ReconciliationReport;
import ai.kiku.billing.service.CatalogueService;
import ai.kiku.billing.service.ReconciliationService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;

/** What each job type does; the result string is kept in the job's status record. */
@ApplicationScoped
public class JobHandlers {

    private final ReconciliationService reconciliation;
    private final CatalogueService catalogue;

    public JobHandlers(ReconciliationService reconciliation, CatalogueService catalogue) {
        this.reconciliation = reconciliation;
        this.catalogue = catalogue;
    }

    public String run(String type, Map<String, String> args) {
        return switch (type) {
            case JobQueue.RECONCILE -> {
                Long account = args.containsKey("accountId") ? Long.valueOf(args.get("accountId")) : null;
                ReconciliationReport r = reconciliation.run(account, Boolean.parseBoolean(args.get("repair")));
                yield "checked " + r.accountsChecked() + ", drifted " + r.accountsWithDrift() + ", |drift| "
                        + r.totalDriftMicros() + " micros, repaired " + r.accountsRepaired();
            }
            case JobQueue.REBUILD_ALL -> {
                catalogue.refresh(true).await().atMost(Duration.ofSeconds(30));
                yield "rebuilt " + reconciliation.rebuildAll() + " accounts; catalogue republished";
            }
            default -> throw new IllegalArgumentException("unknown job type '" + type + "'");
        };
    }
}
