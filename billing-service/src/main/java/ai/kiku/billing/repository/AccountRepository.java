package ai.kiku.billing.repository;

import ai.kiku.billing.model.Account;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** Reads and writes {@code accounts} and {@code telegram_identities}. */
@ApplicationScoped
public class AccountRepository {

    private static final String COLUMNS = "a.account_id, a.telegram_user_id, a.display_name, a.status, "
            + "a.low_balance_threshold_micros, a.default_rate_limit_per_minute, a.created_at";

    /** Thrown inside the creating transaction when a concurrent request registered the same Telegram user. */
    private static final class LostRace extends RuntimeException {
        LostRace() {
            super(null, null, false, false);
        }
    }

    private final Pool pool;

    public AccountRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Account>> find(long accountId) {
        return find(pool, accountId);
    }

    /** {@link #find(long)} on a given connection (e.g. inside a transaction that already holds one). */
    public Uni<Optional<Account>> find(SqlClient client, long accountId) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM accounts a WHERE a.account_id = $1")
                .execute(Tuple.of(accountId)).map(rows -> Rows.first(rows, AccountRepository::map));
    }

    public Uni<Optional<Account>> findByTelegram(long telegramUserId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM telegram_identities t "
                        + "JOIN accounts a ON a.account_id = t.account_id WHERE t.telegram_user_id = $1")
                .execute(Tuple.of(telegramUserId)).map(rows -> Rows.first(rows, AccountRepository::map));
    }

    /**
     * Creates the account of a Telegram user, or returns the existing one. Concurrent calls for the
     * same user converge on one account: the identity row decides, the loser rolls back.
     */
    public Uni<Account> createForTelegram(long telegramUserId, String displayName) {
        return findByTelegram(telegramUserId).flatMap(existing -> existing.isPresent()
                ? Uni.createFrom().item(existing.get())
                : insert(telegramUserId, displayName)
                        .onFailure(LostRace.class).recoverWithUni(() -> findByTelegram(telegramUserId)
                                .map(Optional::orElseThrow)));
    }

    private Uni<Account> insert(long telegramUserId, String displayName) {
        return pool.withTransaction(c -> c.preparedQuery(
                        "INSERT INTO accounts (account_id, telegram_user_id, display_name) "
                                + "VALUES (nextval('account_id_seq'), $1, $2) RETURNING " + COLUMNS.replace("a.", ""))
                .execute(Tuple.of(telegramUserId, displayName))
                .map(rows -> map(rows.iterator().next()))
                .flatMap(account -> c.preparedQuery("INSERT INTO telegram_identities (telegram_user_id, account_id) "
                                + "VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(telegramUserId, account.accountId()))
                        .map(rows -> {
                            if (rows.rowCount() != 1) {
                                throw new LostRace();
                            }
                            return account;
                        })));
    }

    /**
     * Changes the given settings (null keeps the current value) inside the caller's transaction;
     * empty when the account does not exist. The time is a parameter (Citus).
     */
    public Uni<Optional<Account>> update(SqlClient tx, long accountId, String status, Long thresholdMicros,
                                         Integer rateLimit, Instant now) {
        return tx.preparedQuery("UPDATE accounts SET status = coalesce($2, status), "
                        + "low_balance_threshold_micros = coalesce($3, low_balance_threshold_micros), "
                        + "default_rate_limit_per_minute = coalesce($4, default_rate_limit_per_minute), "
                        + "updated_at = $5 WHERE account_id = $1 RETURNING " + COLUMNS.replace("a.", ""))
                .execute(Tuple.tuple(java.util.Arrays.asList(accountId, status, thresholdMicros, rateLimit,
                        now.atOffset(ZoneOffset.UTC))))
                .map(rows -> Rows.first(rows, AccountRepository::map));
    }

    /** Accounts in ascending id order after {@code afterId}, for walking all accounts page by page. */
    public Uni<List<Account>> pageAfter(long afterId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM accounts a WHERE a.account_id > $1 "
                        + "ORDER BY a.account_id LIMIT $2")
                .execute(Tuple.of(afterId, limit)).map(rows -> Rows.list(rows, AccountRepository::map));
    }

    /** Micro-dollars the account was charged beyond its reservations (settles that overran their hold). */
    public Uni<Long> overageMicros(long accountId) {
        return pool.preparedQuery("SELECT coalesce(sum(overage_micros), 0)::bigint FROM usage_records "
                        + "WHERE account_id = $1")
                .execute(Tuple.of(accountId)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Account ids in ascending order after {@code afterId}, for walking all accounts page by page. */
    public Uni<List<Long>> idsAfter(long afterId, int limit) {
        return pool.preparedQuery("SELECT account_id FROM accounts WHERE account_id > $1 ORDER BY account_id LIMIT $2")
                .execute(Tuple.of(afterId, limit)).map(rows -> Rows.list(rows, r -> r.getLong(0)));
    }

    static Account map(Row r) {
        return new Account(r.getLong("account_id"), r.getLong("telegram_user_id"), r.getString("display_name"),
                r.getString("status"), r.getLong("low_balance_threshold_micros"),
                r.getInteger("default_rate_limit_per_minute"), Rows.instant(r, "created_at"));
    }
}
