package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.model.AdminLedgerPage;
import ai.kiku.common.contract.LedgerPage;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.billing.model.Requests;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.billing.outbox.StatusPropagator;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.LedgerRepository;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import ai.kiku.common.money.CreditOutcome;
import ai.kiku.common.money.Micros;
import ai.kiku.common.money.MoneyCore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Books credits and debits exactly once: PostgreSQL first (unique per account and reference), then
 * the Redis credit under the same reference. A retry after a crash between the two finds the ledger
 * row already there and still applies the Redis credit, which itself ignores a reference it has seen.
 */
@ApplicationScoped
public class LedgerService {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LedgerService.class);

    private static final Set<String> POSITIVE = Set.of("payment", "chargeback_reverse");
    private static final Set<String> NEGATIVE = Set.of("refund", "chargeback");
    private static final String ADJUSTMENT = "adjustment";
    private static final int MAX_PAGE = 200;

    private final AccountService accounts;
    private final AccountRepository accountRepository;
    private final LedgerRepository ledger;
    private final MoneyCore money;
    private final RebuildService rebuild;
    private final RedisState redisState;
    private final NotifyPublisher notify;
    private final StatusPropagator propagator;

    public LedgerService(AccountService accounts, AccountRepository accountRepository, LedgerRepository ledger,
                         MoneyCore money, RebuildService rebuild, RedisState redisState, NotifyPublisher notify,
                         StatusPropagator propagator) {
        this.propagator = propagator;
        this.accounts = accounts;
        this.accountRepository = accountRepository;
        this.ledger = ledger;
        this.money = money;
        this.rebuild = rebuild;
        this.redisState = redisState;
        this.notify = notify;
    }

    /** A fact reported by another service (webhook: payments, refunds, chargebacks). */
    public Uni<LedgerResult> book(long accountId, InternalRequests.Ledger body) {
        Check.body(body);
        String kind = Check.required("kind", body.kind());
        if (!POSITIVE.contains(kind) && !NEGATIVE.contains(kind) && !ADJUSTMENT.equals(kind)) {
            throw ProblemException.badRequest("kind",
                    "kind must be one of payment, refund, chargeback, chargeback_reverse, adjustment");
        }
        long amount = Check.amount("amountMicros", body.amountMicros());
        if (amount == 0 || (POSITIVE.contains(kind) && amount < 0) || (NEGATIVE.contains(kind) && amount > 0)) {
            throw ProblemException.badRequest("amountMicros", "amountMicros must be "
                    + (POSITIVE.contains(kind) ? "positive" : NEGATIVE.contains(kind) ? "negative" : "non-zero")
                    + " for " + kind);
        }
        String ref = Check.text("externalRef", body.externalRef(), 200);
        String description = Check.optionalText("description", body.description(), 500);
        return apply(accountId, kind, amount, ref, description, null);
    }

    /**
     * An operator's manual credit (positive) or debit (negative), once per idempotency key, booked under the
     * operator's verified name ({@code bookedBy}); a replay keeps the first booking's.
     */
    public Uni<LedgerResult> adjust(long accountId, Requests.Adjustment body, String bookedBy) {
        Check.body(body);
        long amount = Check.amount("amountMicros", body.amountMicros());
        if (amount == 0) {
            throw ProblemException.badRequest("amountMicros", "amountMicros must be non-zero");
        }
        String reason = Check.text("reason", body.reason(), 500);
        String key = Check.text("idempotencyKey", body.idempotencyKey(), 128);
        // an operator moved money by hand: one audit line per booking (with the request's trace id)
        return apply(accountId, ADJUSTMENT, amount, "adj:" + key, reason, bookedBy).invoke(result -> {
            if (result.applied()) {
                LOG.infof("admin adjustment booked by %s: account %d, %d micros, key %s, reason %s", bookedBy,
                        accountId, amount, key, reason);
            }
        });
    }

    public Uni<LedgerPage> page(long accountId, Long before, Integer limit) {
        int size = pageSize(before, limit);
        return accounts.require(accountId).flatMap(a -> ledger.page(accountId, before, size))
                .map(entries -> new LedgerPage(accountId, entries,
                        entries.size() == size ? entries.get(entries.size() - 1).entryId() : null));
    }

    /** As {@link #page}, for operators: with who booked each adjustment (the internal API does not show it). */
    public Uni<AdminLedgerPage> adminPage(long accountId, Long before, Integer limit) {
        int size = pageSize(before, limit);
        return accounts.require(accountId).flatMap(a -> ledger.adminPage(accountId, before, size))
                .map(entries -> new AdminLedgerPage(accountId, entries,
                        entries.size() == size ? entries.get(entries.size() - 1).entryId() : null));
    }

    private static int pageSize(Long before, Integer limit) {
        int size = limit == null ? 50 : limit;
        if (size < 1 || size > MAX_PAGE) {
            throw ProblemException.badRequest("limit", "limit must be between 1 and " + MAX_PAGE);
        }
        if (before != null && before < 1) {
            throw ProblemException.badRequest("before", "before must be positive");
        }
        return size;
    }

    private Uni<LedgerResult> apply(long accountId, String kind, long amount, String ref, String description,
                                    String bookedBy) {
        boolean chargeback = "chargeback".equals(kind);
        return accounts.require(accountId).flatMap(account -> ledger.book(accountId, kind, amount, ref, description,
                chargeback, bookedBy).flatMap(inserted -> money.credit(accountId, ref, amount).flatMap(credit -> {
                    if (credit.outcome() == CreditOutcome.NO_ACCOUNT) {
                        // Redis lost the account: rebuilding from the ledger (which has this fact) applies it.
                        return rebuild.rebuild(accountId).map(r -> new Booking(inserted, true, r.balanceMicros()));
                    }
                    if (credit.outcome() == CreditOutcome.OUT_OF_RANGE) {
                        // The ledger's bound check passed but Redis, lower by charges not yet recorded, would
                        // leave ±MAX_BALANCE: only a debit of billions can do it. Reconciliation reports the
                        // missing reference; an operator decides.
                        LOG.errorf("account %d: Redis refused %s %d micros (%s) as out of range; the ledger has it",
                                accountId, kind, amount, ref);
                    }
                    return Uni.createFrom().item(new Booking(inserted, credit.outcome() == CreditOutcome.APPLIED,
                            credit.balanceMicros()));
                }).call(o -> chargeback ? suspend(accountId) : Uni.createFrom().voidItem())
                .call(o -> (o.inserted || o.redisApplied) ? announce(account, kind, amount, ref, o.balance)
                        : Uni.createFrom().voidItem())
                .map(o -> new LedgerResult(o.inserted, o.balance, Micros.format(o.balance)))));
    }

    private record Booking(boolean inserted, boolean redisApplied, long balance) {
    }

    /** Publishes the suspension the chargeback committed (with its outbox row); the outbox worker retries. */
    private Uni<Void> suspend(long accountId) {
        return propagator.drain(accountId).replaceWithVoid();
    }

    private Uni<Void> announce(Account account, String kind, long amount, String ref, long balance) {
        long tg = account.telegramUserId() == null ? 0 : account.telegramUserId();
        long now = System.currentTimeMillis();
        if (POSITIVE.contains(kind)) {
            return notify.publish(new NotifyEvent("pay:" + ref, NotifyEventType.PAYMENT_RECEIVED, account.accountId(),
                    tg, amount, balance, kind, now)).replaceWithVoid();
        }
        if ("refund".equals(kind)) {
            return notify.publish(new NotifyEvent("refund:" + ref, NotifyEventType.REFUND_ISSUED, account.accountId(),
                    tg, amount, balance, kind, now)).replaceWithVoid();
        }
        if ("chargeback".equals(kind)) {
            Uni<String> booked = notify.publish(new NotifyEvent("chargeback:" + ref, NotifyEventType.CHARGEBACK,
                    account.accountId(), tg, amount, balance, kind, now));
            return Account.ACTIVE.equals(account.status())
                    ? booked.flatMap(id -> notify.publish(new NotifyEvent("suspended:" + ref,
                            NotifyEventType.ACCOUNT_SUSPENDED, account.accountId(), tg, amount, balance, "chargeback",
                            now))).replaceWithVoid()
                    : booked.replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }
}
