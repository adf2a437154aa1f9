package ai.kiku.billing.service;

import ai.kiku.billing.config.ReconciliationConfig;
import ai.kiku.billing.model.ReconciliationReport;
import ai.kiku.billing.model.ReconciliationReport.Drift;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.common.error.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Walks accounts and reports (optionally repairs) drift between Redis and the ledger. Blocking:
 * runs on worker threads (REST worker or the job worker), never on the event loop.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ReconciliationService {

    private static final Logger LOG = Logger.getLogger(ReconciliationService.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final AccountRepository accounts;
    private final RebuildService rebuild;
    private final ReconciliationConfig config;
    private final AtomicLong driftAccounts = new AtomicLong();
    private final AtomicLong driftMicros = new AtomicLong();

    public ReconciliationService(AccountRepository accounts, RebuildService rebuild, ReconciliationConfig config,
                                 MeterRegistry registry) {
        this.accounts = accounts;
        this.rebuild = rebuild;
        this.config = config;
        Gauge.builder("kiku.reconciliation.drift.accounts", driftAccounts, AtomicLong::get)
                .description("Accounts whose Redis balance disagreed with the ledger in the last full run")
                .register(registry);
        Gauge.builder("kiku.reconciliation.drift.micros", driftMicros, AtomicLong::get)
                .description("Sum of |drift| in micro-USD found by the last full run").register(registry);
    }

    /** Checks one account, or all when {@code accountId} is null; repairs drifted ones when asked. */
    public ReconciliationReport run(Long accountId, boolean repair) {
        List<Drift> drifted = new ArrayList<>();
        int checked = 0;
        if (accountId != null) {
            if (accounts.find(accountId).await().atMost(STEP_TIMEOUT).isEmpty()) {
                throw ProblemException.notFound("account " + accountId);
            }
            checked = visit(accountId, repair, drifted);
        } else {
            long after = 0;
            List<Long> page;
            do {
                page = accounts.idsAfter(after, config.pageSize()).await().atMost(STEP_TIMEOUT);
                for (long id : page) {
                    checked += visit(id, repair, drifted);
                    after = id;
                }
            } while (page.size() == config.pageSize());
        }
        long total = drifted.stream().mapToLong(d -> Math.abs(d.driftMicros())).sum();
        int repaired = (int) drifted.stream().filter(Drift::repaired).count();
        if (accountId == null) {
            driftAccounts.set(drifted.size());
            driftMicros.set(total);
        }
        if (!drifted.isEmpty()) {
            LOG.warnf("reconciliation: %d of %d accounts drifted, total |drift| %d micros, %d repaired",
                    drifted.size(), checked, total, repaired);
        }
        return new ReconciliationReport(Instant.now(), checked, drifted.size(), total, repaired, drifted);
    }

    private int visit(long accountId, boolean repair, List<Drift> drifted) {
        Drift d = rebuild.check(accountId).await().atMost(STEP_TIMEOUT);
        if (RebuildService.drifted(d)) {
            drifted.add(repair ? rebuild.repair(accountId).await().atMost(STEP_TIMEOUT) : d);
        }
        return 1;
    }

    /** Rebuilds every account's Redis state from PostgreSQL; returns how many were rebuilt. */
    public int rebuildAll() {
        int count = 0;
        long after = 0;
        List<Long> page;
        do {
            page = accounts.idsAfter(after, config.pageSize()).await().atMost(STEP_TIMEOUT);
            for (long id : page) {
                rebuild.rebuild(id).await().atMost(STEP_TIMEOUT);
                count++;
                after = id;
            }
        } while (page.size() == config.pageSize());
        LOG.infof("rebuilt the Redis state of %d accounts from PostgreSQL", count);
        return count;
    }
}
