package ai.kiku.billing.repository;

import ai.kiku.common.contract.LedgerEntry;
import ai.kiku.billing.model.LedgerTotals;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import ai.kiku.billing.outbox.StatusOutbox;
import ai.kiku.common.money.Micros;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The append-only {@code ledger_entries}: one row per fact, unique per (account, external reference). */
@ApplicationScoped
public class LedgerRepository {

    /** Kinds whose references the Redis {@code refs} hash must know (usage is deduplicated by hold instead). */
    public static final List<String> CREDIT_KINDS = List.of("payment", "refund", "chargeback", "chargeback_reverse",
            "adjustment");

    /** The ledger balance together with which of the given request ids are already recorded, read at one instant. */
    public record BalanceCheck(long ledgerBalanceMicros, Set<String> recordedRequestIds) {
    }

    private final Pool pool;
    private final StatusOutbox outbox;

    public LedgerRepository(Pool pool, StatusOutbox outbox) {
        this.pool = pool;
        this.outbox = outbox;
    }

    /**
     * Books a fact once; false when the reference is already in the ledger. With {@code suspend}
     * the account is suspended in the same transaction (a chargeback). A fact that would take the
     * ledger balance outside ±{@link Micros#MAX_BALANCE} is refused with {@link BalanceLimitException}
     * before anything is written: Redis refuses it too, and the two must never disagree. The account
     * row is locked for the check, so two facts cannot both pass it.
     */
    public Uni<Boolean> book(long accountId, String kind, long amountMicros, String externalRef, String description,
                             boolean suspend) {
        return pool.withTransaction(c -> c.preparedQuery("SELECT (SELECT coalesce(sum(amount_micros), 0)::bigint "
                                + "FROM ledger_entries WHERE account_id = $1) AS balance FROM accounts "
                                + "WHERE account_id = $1 FOR UPDATE")
                .execute(Tuple.of(accountId))
                .flatMap(locked -> {
                    if (locked.size() == 1) {
                        long after = locked.iterator().next().getLong(0) + amountMicros;
                        if (after > Micros.MAX_BALANCE || after < -Micros.MAX_BALANCE) {
                            return Uni.createFrom().failure(new BalanceLimitException(accountId, after));
                        }
                    }
                    return c.preparedQuery("INSERT INTO ledger_entries (account_id, kind, amount_micros, "
                                    + "external_ref, description) VALUES ($1, $2, $3, $4, $5) "
                                    + "ON CONFLICT (account_id, external_ref) DO NOTHING RETURNING entry_id")
                            .execute(Tuple.of(accountId, kind, amountMicros, externalRef, description));
                })
                .flatMap(rows -> {
                    boolean inserted = rows.rowCount() == 1;
                    if (!inserted || !suspend) {
                        return Uni.createFrom().item(inserted);
                    }
                    // The suspension commits with its outbox row, so it reaches Redis even if Redis is down now.
                    Instant now = Instant.now();
                    return c.preparedQuery("UPDATE accounts SET status = 'suspended', updated_at = $2 "
                                    + "WHERE account_id = $1 AND status = 'active'")
                            .execute(Tuple.of(accountId, now.atOffset(ZoneOffset.UTC)))
                            .flatMap(updated -> updated.rowCount() == 0 ? Uni.createFrom().voidItem()
                                    : outbox.account(c, accountId, null, now))
                            .replaceWith(true);
                }));
    }

    /** A ledger fact refused (422) because the balance would leave ±{@link Micros#MAX_BALANCE}. */
    public static final class BalanceLimitException extends ProblemException {
        public BalanceLimitException(long accountId, long after) {
            super(new Problem(ai.kiku.common.contract.ProblemTypes.BALANCE_LIMIT, "Unprocessable Content", 422,
                    "account " + accountId + " would reach " + after + " micros, beyond the limit of ±"
                            + Micros.MAX_BALANCE).with("limitMicros", Micros.MAX_BALANCE));
        }
    }

    /**
     * Books the usage debit of a dead-lettered usage entry on its own, under the same reference
     * (the request id) the usage batch would have used: the ledger keeps the charge Redis already
     * made, and replaying the entry later never books it twice. False when it was already booked.
     */
    public Uni<Boolean> bookUsage(long accountId, String requestId, long costMicros, String description,
                                  OffsetDateTime occurredAt) {
        return pool.preparedQuery("INSERT INTO ledger_entries (account_id, kind, amount_micros, external_ref, "
                        + "description, created_at) VALUES ($1, 'usage', $2, $3, $4, $5) "
                        + "ON CONFLICT (account_id, external_ref) DO NOTHING")
                .execute(Tuple.of(accountId, -costMicros, requestId, description, occurredAt))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Newest first, entries with id below {@code before} (null for the first page). */
    public Uni<List<LedgerEntry>> page(long accountId, Long before, int limit) {
        return pool.preparedQuery("SELECT entry_id, kind, amount_micros, external_ref, description, created_at "
                        + "FROM ledger_entries WHERE account_id = $1 AND entry_id < $2 ORDER BY entry_id DESC LIMIT $3")
                .execute(Tuple.of(accountId, before == null ? Long.MAX_VALUE : before, limit))
                .map(rows -> Rows.list(rows, LedgerRepository::map));
    }

    public Uni<LedgerTotals> totals(long accountId) {
        return pool.preparedQuery("SELECT "
                        + "coalesce(sum(amount_micros) FILTER (WHERE kind <> 'usage' AND amount_micros > 0), 0)::bigint AS credits, "
                        + "coalesce(sum(amount_micros) FILTER (WHERE kind <> 'usage' AND amount_micros < 0), 0)::bigint AS debits, "
                        + "coalesce(-sum(amount_micros) FILTER (WHERE kind = 'usage'), 0)::bigint AS used, "
                        + "count(*) FILTER (WHERE kind = 'usage') AS requests, "
                        + "coalesce(sum(amount_micros), 0)::bigint AS balance "
                        + "FROM ledger_entries WHERE account_id = $1")
                .execute(Tuple.of(accountId)).map(rows -> {
                    Row r = rows.iterator().next();
                    return new LedgerTotals(r.getLong("credits"), r.getLong("debits"), r.getLong("used"),
                            r.getLong("requests"), r.getLong("balance"));
                });
    }

    /**
     * One statement, hence one snapshot: a usage batch committing meanwhile is either in both parts or
     * in neither. A request counts as recorded when the ledger holds its usage debit, which is also
     * true of a dead-lettered entry whose debit was booked without a usage record.
     */
    public Uni<BalanceCheck> balanceCheck(long accountId, Collection<String> requestIds) {
        return pool.preparedQuery("SELECT (SELECT coalesce(sum(amount_micros), 0)::bigint FROM ledger_entries "
                        + "WHERE account_id = $1) AS balance, "
                        + "(SELECT coalesce(array_agg(external_ref), '{}') FROM ledger_entries "
                        + "WHERE account_id = $1 AND kind = 'usage' AND external_ref = ANY($2::text[])) AS recorded")
                .execute(Tuple.of(accountId, requestIds.toArray(String[]::new)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new BalanceCheck(r.getLong("balance"), new HashSet<>(List.of(r.getArrayOfStrings("recorded"))));
                });
    }

    /** References and amounts of the account's credits and debits (not usage), for the Redis refs hash. */
    public Uni<Map<String, Long>> appliedReferences(long accountId) {
        return pool.preparedQuery("SELECT external_ref, amount_micros FROM ledger_entries "
                        + "WHERE account_id = $1 AND kind = ANY($2::text[]) ORDER BY entry_id")
                .execute(Tuple.of(accountId, CREDIT_KINDS.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Long> refs = new LinkedHashMap<>();
                    rows.forEach(r -> refs.put(r.getString(0), r.getLong(1)));
                    return refs;
                });
    }

    static LedgerEntry map(Row r) {
        long amount = r.getLong("amount_micros");
        return new LedgerEntry(r.getLong("entry_id"), r.getString("kind"), amount, Micros.format(amount),
                r.getString("external_ref"), r.getString("description"), Rows.instant(r, "created_at"));
    }
}
