package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.model.ReconciliationReport.Drift;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.ApiKeyRepository;
import ai.kiku.billing.repository.LedgerRepository;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.KeySpend;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.money.PendingUsageReader;
import ai.kiku.common.money.RebuildResult;
import ai.kiku.common.money.Snapshot;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

/**
 * Compares one account's Redis balance with PostgreSQL and, when asked, makes Redis agree with
 * PostgreSQL (the truth). Expected Redis balance = ledger balance − charges still in the usage
 * stream that PostgreSQL has not recorded yet.
 *
 * <p>The rebuild itself merges instead of overwriting (rebuild.lua): PostgreSQL is read first, and
 * everything read there is either already in Redis or safe to add once, so credits, settles,
 * suspensions and revocations that land meanwhile are neither lost nor applied twice.
 */
@ApplicationScoped
public class RebuildService {

    private static final Logger LOG = Logger.getLogger(RebuildService.class);

    private final AccountRepository accounts;
    private final LedgerRepository ledger;
    private final ApiKeyRepository keys;
    private final RedisState redisState;
    private final MoneyCore money;
    private final PendingUsageReader pendingUsage;

    public RebuildService(AccountRepository accounts, LedgerRepository ledger, ApiKeyRepository keys,
                          RedisState redisState, MoneyCore money, PendingUsageReader pendingUsage) {
        this.pendingUsage = pendingUsage;
        this.accounts = accounts;
        this.ledger = ledger;
        this.keys = keys;
        this.redisState = redisState;
        this.money = money;
    }

    /** Drift of one account (no writes). */
    public Uni<Drift> check(long accountId) {
        return pendingUsage.read(accountId).flatMap(s -> ledger.balanceCheck(accountId, s.unconsumedCharges().keySet())
                .map(check -> drift(accountId, s, check)));
    }

    /** Merges what PostgreSQL knows into the account's Redis state (rebuild.lua) and republishes its keys. */
    public Uni<RebuildResult> rebuild(long accountId) {
        return require(accountId).flatMap(this::merge);
    }

    /**
     * Repairs a drifted account (PostgreSQL wins) and leaves a zero-amount {@code reconciliation}
     * ledger entry describing old and new Redis balance.
     */
    public Uni<Drift> repair(long accountId) {
        return require(accountId).flatMap(account -> check(accountId)
                .flatMap(d -> merge(account).map(result -> new Rebuilt(result, d)))).flatMap(rebuilt -> {
            Drift d = rebuilt.drift();
            String description = "reconciliation repair: redis balance " + rebuilt.result().previousBalanceMicros()
                    + " -> " + rebuilt.result().balanceMicros() + " micros (ledger " + d.ledgerBalanceMicros()
                    + ", unrecorded charges " + d.unrecordedChargesMicros() + ", drift " + d.driftMicros()
                    + (d.missingInRedis() ? ", account was missing in redis" : "") + ")";
            String ref = "recon:" + accountId + ":" + UUID.randomUUID();
            LOG.warnf("account %d: %s [%s]", accountId, description, ref);
            return ledger.book(accountId, "reconciliation", 0, ref, description, false)
                    .replaceWith(new Drift(d.accountId(), d.redisBalanceMicros(), d.ledgerBalanceMicros(),
                            d.unrecordedChargesMicros(), d.expectedRedisBalanceMicros(), d.driftMicros(),
                            d.missingInRedis(), true));
        });
    }

    private record Rebuilt(RebuildResult result, Drift drift) {
    }

    private Uni<RebuildResult> merge(Account account) {
        long id = account.accountId();
        // PostgreSQL before Redis: every reference listed is a real credit (the script adds the missing
        // ones once), and every usage recorded was settled in Redis before it reached PostgreSQL, so the
        // recorded total is a floor of what Redis must have spent, never more.
        // The keys' spend counters the same way: per key, usage_records' total and this UTC month's are floors.
        YearMonth month = KeySpend.monthOf(Instant.now());
        Instant monthStart = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthEnd = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return ledger.appliedReferences(id)
                .flatMap(refs -> ledger.totals(id).flatMap(totals -> keys.spentByKey(id, monthStart, monthEnd)
                        .flatMap(spent -> money.rebuild(id, account.status(), account.lowBalanceThresholdMicros(),
                                totals.usageMicros(), refs, new KeySpend(KeySpend.monthIndex(month), spent)))))
                .call(() -> republishKeys(id));
    }

    private Uni<Void> republishKeys(long accountId) {
        return keys.list(accountId).flatMap(all -> all.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(all.stream().map(redisState::publishKey).toList()).andFailFast().replaceWithVoid());
    }

    private Uni<Account> require(long accountId) {
        return accounts.find(accountId).map(a -> a.orElseThrow(() -> ProblemException.notFound("account " + accountId)));
    }

    private static Drift drift(long accountId, Snapshot s, LedgerRepository.BalanceCheck check) {
        long unrecorded = 0;
        for (Map.Entry<String, Long> charge : s.unconsumedCharges().entrySet()) {
            if (!check.recordedRequestIds().contains(charge.getKey())) {
                unrecorded += charge.getValue();
            }
        }
        long expected = check.ledgerBalanceMicros() - unrecorded;
        boolean missing = s.status().isEmpty();
        return new Drift(accountId, s.balanceMicros(), check.ledgerBalanceMicros(), unrecorded, expected,
                s.balanceMicros() - expected, missing, false);
    }

    static boolean drifted(Drift d) {
        return d.driftMicros() != 0 || d.missingInRedis();
    }
}
