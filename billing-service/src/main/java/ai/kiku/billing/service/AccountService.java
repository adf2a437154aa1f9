package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.model.AccountDetail;
import ai.kiku.common.contract.AccountView;
import ai.kiku.billing.model.Requests;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.billing.outbox.StatusOutbox;
import ai.kiku.billing.outbox.StatusPropagator;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.LedgerRepository;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;
import ai.kiku.common.money.MoneyCore;
import io.smallrye.mutiny.Uni;
import ai.kiku.billing.repository.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Set;

/** Accounts: creation per Telegram user, settings, and the real-time view combining PostgreSQL and Redis. */
@ApplicationScoped
public class AccountService {

    private static final Set<String> STATUSES = Set.of(Account.ACTIVE, Account.SUSPENDED, Account.CLOSED);

    private final AccountRepository accounts;
    private final LedgerRepository ledger;
    private final RedisState redisState;
    private final MoneyCore money;
    private final RebuildService rebuild;
    private final Transactions tx;
    private final StatusOutbox outbox;
    private final StatusPropagator propagator;

    public AccountService(AccountRepository accounts, LedgerRepository ledger, RedisState redisState, MoneyCore money,
                          RebuildService rebuild, Transactions tx, StatusOutbox outbox, StatusPropagator propagator) {
        this.tx = tx;
        this.outbox = outbox;
        this.propagator = propagator;
        this.accounts = accounts;
        this.ledger = ledger;
        this.redisState = redisState;
        this.money = money;
        this.rebuild = rebuild;
    }

    /** Idempotent on the Telegram user: a repeat returns the same account. */
    public Uni<AccountView> create(InternalRequests.CreateAccount body) {
        Check.body(body);
        long telegramUserId = Check.positive("telegramUserId", body.telegramUserId());
        String displayName = Check.optionalText("displayName", body.displayName(), 128);
        return accounts.createForTelegram(telegramUserId, displayName)
                .call(redisState::publishAccount)
                .flatMap(this::view);
    }

    public Uni<Account> require(long accountId) {
        return accounts.find(accountId).map(a -> a.orElseThrow(() -> ProblemException.notFound("account " + accountId)));
    }

    public Uni<AccountView> get(long accountId) {
        return require(accountId).flatMap(this::view);
    }

    public Uni<AccountView> getByTelegram(long telegramUserId) {
        return accounts.findByTelegram(telegramUserId)
                .map(a -> a.orElseThrow(() -> ProblemException.notFound("account of Telegram user " + telegramUserId)))
                .flatMap(this::view);
    }

    public Uni<AccountDetail> detail(long accountId) {
        return get(accountId).flatMap(view -> Uni.combine().all()
                .unis(redisState.openHolds(accountId), ledger.totals(accountId))
                .with((holds, totals) -> AccountDetail.of(view, holds, totals)));
    }

    public Uni<AccountView> update(long accountId, Requests.UpdateAccount body) {
        Check.body(body);
        String status = body.status();
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badRequest("status", "status must be one of active, suspended, closed");
        }
        Long threshold = body.lowBalanceThresholdMicros();
        if (threshold != null && (threshold < 0 || threshold > Micros.MAX_AMOUNT)) {
            throw ProblemException.badRequest("lowBalanceThresholdMicros",
                    "lowBalanceThresholdMicros must be between 0 and " + Micros.MAX_AMOUNT);
        }
        Integer rate = Check.rateLimit("defaultRateLimitPerMinute", body.defaultRateLimitPerMinute());
        if (status == null && threshold == null && rate == null) {
            throw ProblemException.badRequest("body",
                    "give at least one of status, lowBalanceThresholdMicros, defaultRateLimitPerMinute");
        }
        // The change and its outbox row commit together; Redis is told at once, or by the outbox
        // worker once Redis takes writes again (a suspension must never be lost with a Redis outage).
        return tx.transaction(() -> accounts.update(accountId, status, threshold, rate, Instant.now())
                        .map(a -> a.orElseThrow(() -> ProblemException.notFound("account " + accountId)))
                        .call(a -> outbox.account(accountId, null, Instant.now())))
                .call(a -> propagator.drain(accountId))
                .flatMap(a -> view(a).onFailure(e -> !(e instanceof ProblemException)).transform(e ->
                        ProblemException.unavailable("the change is saved and reaches Redis when Redis is back; "
                                + "the live balance cannot be read now")));
    }

    /** Settings from PostgreSQL, money from Redis; an account Redis lost is rebuilt from the ledger first. */
    public Uni<AccountView> view(Account account) {
        long id = account.accountId();
        return money.peek(id, 0).flatMap(b -> b.exists()
                ? Uni.createFrom().item(account.view(b.balanceMicros(), b.heldMicros()))
                : rebuild.rebuild(id).map(r -> account.view(r.balanceMicros(), r.heldMicros())));
    }
}
