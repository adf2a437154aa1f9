package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.billing.model.ReconciliationReport.Findings;
import ai.kiku.billing.outbox.StatusPropagator;
import ai.kiku.billing.repository.ApiKeyRepository;
import ai.kiku.billing.repository.ApiKeyRepository.StoredKey;
import ai.kiku.billing.repository.LedgerRepository;
import ai.kiku.common.money.CreditOutcome;
import ai.kiku.common.money.MoneyCore;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The repairs reconciliation makes on its own, because each is exact whatever runs concurrently:
 * what a Redis failover can lose. A ledger credit or debit whose reference Redis does not know is
 * applied through the money core's exactly-once credit (a racing normal credit finds it applied);
 * an account or key status that differs from PostgreSQL is republished through the status outbox,
 * which publishes the current PostgreSQL state; an account Redis lost entirely is rebuilt. Balance
 * drift of any other cause is only reported (an operator repairs it).
 */
@ApplicationScoped
public class AccountRepairs {

    private static final Logger LOG = Logger.getLogger(AccountRepairs.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final LedgerRepository ledger;
    private final ApiKeyRepository keys;
    private final RedisState redisState;
    private final MoneyCore money;
    private final RebuildService rebuild;
    private final StatusPropagator propagator;
    private final MeterRegistry registry;

    public AccountRepairs(LedgerRepository ledger, ApiKeyRepository keys, RedisState redisState, MoneyCore money,
                          RebuildService rebuild, StatusPropagator propagator, MeterRegistry registry) {
        this.ledger = ledger;
        this.keys = keys;
        this.redisState = redisState;
        this.money = money;
        this.rebuild = rebuild;
        this.propagator = propagator;
        this.registry = registry;
    }

    /** Compares the account's credits and statuses with Redis; with {@code repair}, restores them. */
    public Findings inspect(Account account, boolean repair) {
        long id = account.accountId();
        String redisStatus = redisState.accountStatus(id).await().atMost(STEP_TIMEOUT);
        if (redisStatus.isEmpty()) {
            // Redis lost the whole account: only a rebuild from the ledger brings it back.
            if (!repair) {
                return new Findings(0, 0, false, List.of("account: missing in redis"), false, false);
            }
            rebuild.rebuild(id).await().atMost(STEP_TIMEOUT);
            count("rebuild");
            LOG.warnf("reconciliation: account %d was missing in Redis; rebuilt from the ledger", id);
            return new Findings(0, 0, false, List.of("account: missing in redis"), false, true);
        }

        Map<String, Long> applied = ledger.appliedReferences(id).await().atMost(STEP_TIMEOUT);
        Set<String> known = redisState.knownReferences(id, applied.keySet()).await().atMost(STEP_TIMEOUT);
        int missing = 0;
        long missingMicros = 0;
        boolean restored = false;
        for (Map.Entry<String, Long> ref : applied.entrySet()) {
            if (known.contains(ref.getKey())) {
                continue;
            }
            missing++;
            missingMicros += ref.getValue();
            if (repair) {
                CreditOutcome outcome = money.credit(id, ref.getKey(), ref.getValue()).await().atMost(STEP_TIMEOUT)
                        .outcome();
                if (outcome == CreditOutcome.APPLIED) {
                    restored = true;
                    count("credit");
                    LOG.warnf("reconciliation: account %d: restored %d micros of %s that Redis had lost", id,
                            ref.getValue(), ref.getKey());
                }
            }
        }

        List<String> mismatches = new ArrayList<>();
        boolean accountDiffers = !account.status().equals(redisStatus);
        if (accountDiffers) {
            mismatches.add("account: redis " + redisStatus + ", postgresql " + account.status());
        }
        List<Long> keyIds = new ArrayList<>();
        for (StoredKey stored : keys.list(id).await().atMost(STEP_TIMEOUT)) {
            RedisState.KeyState state = redisState.keyState(stored).await().atMost(STEP_TIMEOUT);
            String status = stored.key().status();
            boolean differs = !status.equals(state.status()) || state.indexed() != ApiKey.ACTIVE.equals(status);
            if (differs) {
                keyIds.add(stored.key().keyId());
                mismatches.add("key " + stored.key().keyId() + ": redis " + (state.status().isEmpty() ? "missing"
                        : state.status()) + (state.indexed() ? " (indexed)" : " (not indexed)") + ", postgresql "
                        + status);
            }
        }
        boolean republished = false;
        if (repair && !mismatches.isEmpty()) {
            republished = propagator.republish(id, accountDiffers, keyIds).await().atMost(STEP_TIMEOUT);
            count("status");
            LOG.warnf("reconciliation: account %d: republished statuses from PostgreSQL: %s", id, mismatches);
        }
        return new Findings(missing, missingMicros, restored, mismatches, republished, false);
    }

    private void count(String kind) {
        registry.counter("kiku.reconciliation.repairs", "kind", kind).increment();
    }
}
