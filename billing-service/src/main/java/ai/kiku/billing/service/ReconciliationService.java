package ai.kiku.billing.service;

import ai.kiku.billing.config.ReconciliationConfig;
import ai.kiku.billing.model.Account;
import ai.kiku.billing.model.ReconciliationReport;
import ai.kiku.billing.model.ReconciliationReport.Drift;
import ai.kiku.billing.model.ReconciliationReport.Findings;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Walks accounts and reports drift between Redis and PostgreSQL. {@link Mode#AUTO} (the scheduled
 * run) also restores what a Redis failover can lose (credits, statuses, whole accounts; see
 * {@link AccountRepairs}); {@link Mode#REPAIR} (an operator) also overwrites drifted balances from
 * the ledger. Blocking: runs on worker threads (REST worker or the job worker), never on the event loop.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ReconciliationService {

    /** What a run may change. */
    public enum Mode {
        /** Compare only. */
        REPORT,
        /** Restore lost credits and statuses; report balance drift. */
        AUTO,
        /** As AUTO, and make drifted balances agree with the ledger (with a ledger trail). */
        REPAIR
    }

    private static final Logger LOG = Logger.getLogger(ReconciliationService.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final AccountRepository accounts;
    private final RebuildService rebuild;
    private final AccountRepairs repairs;
    private final ReconciliationConfig config;
    private final AtomicLong driftAccounts = new AtomicLong();
    private final AtomicLong driftMicros = new AtomicLong();

    public ReconciliationService(AccountRepository accounts, RebuildService rebuild, AccountRepairs repairs,
                                 ReconciliationConfig config, MeterRegistry registry) {
        this.accounts = accounts;
        this.rebuild = rebuild;
        this.repairs = repairs;
        this.config = config;
        Gauge.builder("kiku.reconciliation.drift.accounts", driftAccounts, AtomicLong::get)
                .description("Accounts whose Redis balance disagreed with the ledger in the last full run, after its "
                        + "automatic repairs (alert when above 0: an operator repairs them)")
                .register(registry);
        Gauge.builder("kiku.reconciliation.drift.micros", driftMicros, AtomicLong::get)
                .description("Sum of |drift| in micro-USD found by the last full run").register(registry);
    }

    public ReconciliationReport run(Long accountId, Mode mode) {
        return run(accountId, mode, () -> true);
    }

    /**
     * Checks one account, or all when {@code accountId} is null. {@code mayContinue} is asked before
     * each account (a job whose lease is lost stops: another worker owns it now).
     */
    public ReconciliationReport run(Long accountId, Mode mode, BooleanSupplier mayContinue) {
        List<Drift> found = new ArrayList<>();
        int[] totals = new int[4]; // checked, credits restored, statuses republished, failed
        if (accountId != null) {
            Account account = accounts.find(accountId).await().atMost(STEP_TIMEOUT)
                    .orElseThrow(() -> ProblemException.notFound("account " + accountId));
            visit(account, mode, found, totals);
        } else {
            long after = 0;
            List<Account> page;
            do {
                page = accounts.pageAfter(after, config.pageSize()).await().atMost(STEP_TIMEOUT);
                for (Account account : page) {
                    if (!mayContinue.getAsBoolean()) {
                        throw new CancellationException("reconciliation stopped after account " + after);
                    }
                    try {
                        visit(account, mode, found, totals);
                    } catch (RuntimeException e) {
                        // One account (e.g. on a Redis node that is failing over) must not stop the others.
                        totals[3]++;
                        LOG.warnf("reconciliation: account %d could not be checked: %s", account.accountId(),
                                e.toString());
                    }
                    after = account.accountId();
                }
            } while (page.size() == config.pageSize());
        }
        List<Drift> drifted = found.stream().filter(ReconciliationService::balanceDrift).toList();
        long total = drifted.stream().mapToLong(d -> Math.abs(d.driftMicros())).sum();
        int repaired = (int) found.stream().filter(Drift::repaired).count();
        if (accountId == null) {
            driftAccounts.set(mode == Mode.REPAIR ? 0 : drifted.size());
            driftMicros.set(mode == Mode.REPAIR ? 0 : total);
        }
        if (!drifted.isEmpty() && mode != Mode.REPAIR) {
            LOG.errorf("reconciliation: %d of %d accounts have balance drift (total |drift| %d micros) that only "
                    + "an operator may repair (POST /admin/v1/reconciliation/repair): %s", drifted.size(), totals[0],
                    total, drifted.stream().map(d -> d.accountId() + ":" + d.driftMicros()).toList());
        }
        if (totals[1] > 0 || totals[2] > 0) {
            LOG.warnf("reconciliation: restored %d lost credit(s) and republished statuses of %d account(s)",
                    totals[1], totals[2]);
        }
        if (totals[3] > 0) {
            LOG.errorf("reconciliation: %d account(s) could not be checked; the next run retries them", totals[3]);
        }
        return new ReconciliationReport(Instant.now(), totals[0], drifted.size(), total, repaired, totals[1],
                totals[2], totals[3], found);
    }

    private void visit(Account account, Mode mode, List<Drift> found, int[] totals) {
        long id = account.accountId();
        Findings f = repairs.inspect(account, mode != Mode.REPORT);
        totals[1] += f.creditsRestored() ? f.missingCredits() : 0;
        totals[2] += f.statusesRepublished() ? 1 : 0;
        Drift d = rebuild.check(id).await().atMost(STEP_TIMEOUT);
        boolean repaired = false;
        if (mode == Mode.REPAIR && balanceDrift(d)) {
            d = rebuild.repair(id).await().atMost(STEP_TIMEOUT);
            repaired = true;
        }
        totals[0]++;
        Long overage = overage(id);
        if (balanceDrift(d) || repaired || f.any() || overage != null) {
            found.add(d.with(f, f.repairedAnything(), overage));
        }
    }

    /** Micro-dollars charged beyond reservations, when non-zero. */
    private Long overage(long accountId) {
        long sum = accounts.overageMicros(accountId).await().atMost(STEP_TIMEOUT);
        return sum == 0 ? null : sum;
    }

    private static boolean balanceDrift(Drift d) {
        return d.driftMicros() != 0 || d.missingInRedis();
    }

    /** Rebuilds every account's Redis state from PostgreSQL; returns how many were rebuilt. */
    public int rebuildAll(BooleanSupplier mayContinue) {
        int count = 0;
        long after = 0;
        List<Long> page;
        do {
            page = accounts.idsAfter(after, config.pageSize()).await().atMost(STEP_TIMEOUT);
            for (long id : page) {
                if (!mayContinue.getAsBoolean()) {
                    throw new CancellationException("rebuild stopped after account " + after);
                }
                rebuild.rebuild(id).await().atMost(STEP_TIMEOUT);
                count++;
                after = id;
            }
        } while (page.size() == config.pageSize());
        LOG.infof("rebuilt the Redis state of %d accounts from PostgreSQL", count);
        return count;
    }
}
