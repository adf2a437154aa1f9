package ai.kiku.billing.repository;

import ai.kiku.billing.entity.AccountEntity;
import ai.kiku.billing.entity.TelegramIdentityEntity;
import ai.kiku.billing.model.Account;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes {@code accounts} and {@code telegram_identities}. Every method joins the
 * transaction of its caller when there is one (see {@link Transactions}).
 */
@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<AccountEntity, Long> {

    private final TelegramIdentityRepository identities;
    private final Transactions tx;

    public AccountRepository(TelegramIdentityRepository identities, Transactions tx) {
        this.identities = identities;
        this.tx = tx;
    }

    public Uni<Optional<Account>> find(long accountId) {
        return tx.session(() -> findById(accountId)).map(AccountRepository::account);
    }

    public Uni<Optional<Account>> findByTelegram(long telegramUserId) {
        return tx.session(() -> identities.findById(telegramUserId).flatMap(identity -> identity == null
                        ? Uni.createFrom().nullItem() : findById(identity.accountId)))
                .map(AccountRepository::account);
    }

    /**
     * Creates the account of a Telegram user, or returns the existing one. Concurrent calls for the
     * same user converge on one account: the identity row's primary key decides, the loser rolls back.
     */
    public Uni<Account> createForTelegram(long telegramUserId, String displayName) {
        return findByTelegram(telegramUserId).flatMap(existing -> existing.isPresent()
                ? Uni.createFrom().item(existing.get())
                : tx.isolatedTransaction(() -> insert(telegramUserId, displayName))
                        .onFailure(SqlStates::uniqueViolation).recoverWithUni(() -> findByTelegram(telegramUserId)
                                .map(Optional::orElseThrow)));
    }

    private Uni<Account> insert(long telegramUserId, String displayName) {
        Instant now = Instant.now();
        AccountEntity account = new AccountEntity();
        account.telegramUserId = telegramUserId;
        account.displayName = displayName;
        account.createdAt = now;
        account.updatedAt = now;
        return persist(account).flatMap(a -> {
            TelegramIdentityEntity identity = new TelegramIdentityEntity();
            identity.telegramUserId = telegramUserId;
            identity.accountId = a.accountId;
            identity.createdAt = now;
            return identities.persistAndFlush(identity).replaceWith(a.toAccount());
        });
    }

    /**
     * Changes the given settings (null keeps the current value) inside the caller's transaction;
     * empty when the account does not exist. The row is locked first, so concurrent changes apply in turn.
     */
    public Uni<Optional<Account>> update(long accountId, String status, Long thresholdMicros, Integer rateLimit,
                                         Instant now) {
        return tx.transaction(() -> findById(accountId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE)
                .flatMap(a -> {
                    if (a == null) {
                        return Uni.createFrom().item(Optional.<Account>empty());
                    }
                    if (status != null) {
                        a.status = status;
                    }
                    if (thresholdMicros != null) {
                        a.lowBalanceThresholdMicros = thresholdMicros;
                    }
                    if (rateLimit != null) {
                        a.defaultRateLimitPerMinute = rateLimit;
                    }
                    a.updatedAt = now;
                    return flush().replaceWith(Optional.of(a.toAccount()));
                }));
    }

    /** Accounts in ascending id order after {@code afterId}, for walking all accounts page by page. */
    public Uni<List<Account>> pageAfter(long afterId, int limit) {
        return tx.session(() -> find("accountId > ?1 order by accountId", afterId).page(0, limit).list())
                .map(rows -> rows.stream().map(AccountEntity::toAccount).toList());
    }

    /** Micro-dollars the account was charged beyond its reservations (settles that overran their hold). */
    public Uni<Long> overageMicros(long accountId) {
        return tx.session(() -> getSession().flatMap(s -> s.createNativeQuery(
                        "SELECT coalesce(sum(overage_micros), 0)::bigint FROM usage_records WHERE account_id = ?1",
                        Long.class).setParameter(1, accountId).getSingleResult()));
    }

    /** Account ids in ascending order after {@code afterId}, for walking all accounts page by page. */
    public Uni<List<Long>> idsAfter(long afterId, int limit) {
        return tx.session(() -> getSession().flatMap(s -> s.createNativeQuery(
                        "SELECT account_id FROM accounts WHERE account_id > ?1 ORDER BY account_id LIMIT ?2", Long.class)
                .setParameter(1, afterId).setParameter(2, limit).getResultList()));
    }

    private static Optional<Account> account(AccountEntity entity) {
        return Optional.ofNullable(entity).map(AccountEntity::toAccount);
    }
}
