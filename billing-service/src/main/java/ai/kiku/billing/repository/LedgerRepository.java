package ai.kiku.billing.repository;

import ai.kiku.billing.model.AdminLedgerPage;
import ai.kiku.common.contract.LedgerEntry;
import ai.kiku.billing.model.LedgerTotals;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import ai.kiku.billing.outbox.StatusOutbox;
import ai.kiku.common.money.Micros;
import io.smallrye.mutiny.Uni;
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

    private final Transactions tx;
    private final StatusOutbox outbox;

    public LedgerRepository(Transactions tx, StatusOutbox outbox) {
        this.tx = tx;
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
        return book(accountId, kind, amountMicros, externalRef, description, suspend, null);
    }

    /** As {@link #book(long, String, long, String, String, boolean)}, recording the operator who booked it. */
    public Uni<Boolean> book(long accountId, String kind, long amountMicros, String externalRef, String description,
                             boolean suspend, String bookedBy) {
        return tx.transaction(() -> NativeSql.column("SELECT (SELECT coalesce(sum(amount_micros), 0)::bigint "
                                + "FROM ledger_entries WHERE account_id = ?1) AS balance FROM accounts "
                                + "WHERE account_id = ?1 FOR UPDATE", Long.class, accountId)
                .flatMap(locked -> {
                    if (locked.size() == 1) {
                        long after = locked.get(0) + amountMicros;
                        if (after > Micros.MAX_BALANCE || after < -Micros.MAX_BALANCE) {
                            return Uni.createFrom().failure(new BalanceLimitException(accountId, after));
                        }
                    }
                    return NativeSql.update("INSERT INTO ledger_entries (account_id, kind, amount_micros, external_ref, "
                                    + "description, created_at, booked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                                    + "ON CONFLICT (account_id, external_ref) DO NOTHING",
                            accountId, kind, amountMicros, externalRef, description, NativeSql.now(), bookedBy);
                })
                .flatMap(rows -> {
                    boolean inserted = rows == 1;
                    if (!inserted || !suspend) {
                        return Uni.createFrom().item(inserted);
                    }
                    // The suspension commits with its outbox row, so it reaches Redis even if Redis is down now.
                    Instant now = Instant.now();
                    return NativeSql.update("UPDATE accounts SET status = 'suspended', updated_at = ?2 "
                                    + "WHERE account_id = ?1 AND status = 'active'", accountId, now.atOffset(ZoneOffset.UTC))
                            .flatMap(updated -> updated == 0 ? Uni.createFrom().voidItem()
                                    : outbox.account(accountId, null, now))
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
        return tx.transaction(() -> NativeSql.update("INSERT INTO ledger_entries (account_id, kind, amount_micros, "
                        + "external_ref, description, created_at) VALUES (?1, 'usage', ?2, ?3, ?4, ?5) "
                        + "ON CONFLICT (account_id, external_ref) DO NOTHING",
                accountId, -costMicros, requestId, description, occurredAt)).map(rows -> rows == 1);
    }

    /** Newest first, entries with id below {@code before} (null for the first page). */
    public Uni<List<LedgerEntry>> page(long accountId, Long before, int limit) {
        return rows(accountId, before, limit).map(rows -> rows.stream().map(LedgerRepository::map).toList());
    }

    /** As {@link #page}, for operators: each entry with who booked it (null but for operators' adjustments). */
    public Uni<List<AdminLedgerPage.Entry>> adminPage(long accountId, Long before, int limit) {
        return rows(accountId, before, limit).map(rows -> rows.stream()
                .map(r -> AdminLedgerPage.Entry.of(map(r), (String) r[6])).toList());
    }

    private Uni<List<Object[]>> rows(long accountId, Long before, int limit) {
        return tx.session(() -> NativeSql.list("SELECT entry_id, kind, amount_micros, external_ref, description, "
                        + "created_at, booked_by FROM ledger_entries WHERE account_id = ?1 AND entry_id < ?2 "
                        + "ORDER BY entry_id DESC LIMIT ?3", accountId, before == null ? Long.MAX_VALUE : before, limit));
    }

    public Uni<LedgerTotals> totals(long accountId) {
        return tx.session(() -> NativeSql.list("SELECT "
                        + "coalesce(sum(amount_micros) FILTER (WHERE kind <> 'usage' AND amount_micros > 0), 0)::bigint AS credits, "
                        + "coalesce(sum(amount_micros) FILTER (WHERE kind <> 'usage' AND amount_micros < 0), 0)::bigint AS debits, "
                        + "coalesce(-sum(amount_micros) FILTER (WHERE kind = 'usage'), 0)::bigint AS used, "
                        + "count(*) FILTER (WHERE kind = 'usage') AS requests, "
                        + "coalesce(sum(amount_micros), 0)::bigint AS balance "
                        + "FROM ledger_entries WHERE account_id = ?1", accountId)).map(rows -> {
                    Object[] r = rows.get(0);
                    return new LedgerTotals(NativeSql.lng(r[0]), NativeSql.lng(r[1]), NativeSql.lng(r[2]), NativeSql.lng(r[3]),
                            NativeSql.lng(r[4]));
                });
    }

    /**
     * One statement, hence one snapshot: a usage batch committing meanwhile is either in both parts or
     * in neither. A request counts as recorded when the ledger holds its usage debit, which is also
     * true of a dead-lettered entry whose debit was booked without a usage record.
     */
    public Uni<BalanceCheck> balanceCheck(long accountId, Collection<String> requestIds) {
        // the balance row first, then one row per recorded request (the reactive session reads no text[] column)
        return tx.session(() -> NativeSql.list("SELECT coalesce(sum(amount_micros), 0)::bigint, NULL::text "
                        + "FROM ledger_entries WHERE account_id = ?1 "
                        + "UNION ALL SELECT NULL::bigint, external_ref FROM ledger_entries "
                        + "WHERE account_id = ?1 AND kind = 'usage' AND external_ref = ANY(cast(?2 as text[]))",
                accountId, requestIds.toArray(String[]::new)))
                .map(rows -> {
                    long balance = 0;
                    Set<String> recorded = new HashSet<>();
                    for (Object[] r : rows) {
                        if (r[1] == null) {
                            balance = NativeSql.lng(r[0]);
                        } else {
                            recorded.add((String) r[1]);
                        }
                    }
                    return new BalanceCheck(balance, recorded);
                });
    }

    /** References and amounts of the account's credits and debits (not usage), for the Redis refs hash. */
    public Uni<Map<String, Long>> appliedReferences(long accountId) {
        return tx.session(() -> NativeSql.list("SELECT external_ref, amount_micros FROM ledger_entries "
                        + "WHERE account_id = ?1 AND kind = ANY(cast(?2 as text[])) ORDER BY entry_id",
                accountId, CREDIT_KINDS.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Long> refs = new LinkedHashMap<>();
                    rows.forEach(r -> refs.put((String) r[0], NativeSql.lng(r[1])));
                    return refs;
                });
    }

    static LedgerEntry map(Object[] r) {
        long amount = NativeSql.lng(r[2]);
        return new LedgerEntry(NativeSql.lng(r[0]), (String) r[1], amount, Micros.format(amount), (String) r[3],
                (String) r[4], NativeSql.instant(r[5]));
    }
}
