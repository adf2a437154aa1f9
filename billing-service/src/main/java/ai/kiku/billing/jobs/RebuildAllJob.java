package ai.kiku.billing.jobs;

import ai.kiku.billing.service.CatalogueService;
import ai.kiku.billing.service.ReconciliationService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;

/** Rebuilds every account's Redis state and republishes the catalogue; stops when its lease is lost. */
@ApplicationScoped
public class RebuildAllJob implements JobHandler {

    private final ReconciliationService reconciliation;
    private final CatalogueService catalogue;

    public RebuildAllJob(ReconciliationService reconciliation, CatalogueService catalogue) {
        this.reconciliation = reconciliation;
        this.catalogue = catalogue;
    }

    @Override
    public String type() {
        return JobQueue.REBUILD_ALL;
    }

    @Override
    public String run(Map<String, String> args, JobLease lease) {
        catalogue.refresh(true).await().atMost(Duration.ofSeconds(30));
        return "rebuilt " + reconciliation.rebuildAll(lease::held) + " accounts; catalogue republished";
    }
}
