package ai.kiku.billing.outbox;

import ai.kiku.common.events.NotifyEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.kiku.billing.repository.NativeSql;
import ai.kiku.billing.repository.Transactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code status_outbox} table. Rows are inserted in the transaction of the status change they
 * announce and deleted once Redis has the state. Every statement is single-shard on account_id
 * except the due scan, and times are parameters (Citus).
 */
@ApplicationScoped
public class StatusOutbox {

    /** Rows of one account handled per drain; more are left for the next one. */
    static final int ROWS_PER_DRAIN = 100;

    private final Transactions tx;
    private final ObjectMapper json;

    public StatusOutbox(Transactions tx, ObjectMapper json) {
        this.tx = tx;
        this.json = json;
    }

    /** Records, inside the caller's transaction, that an account's state must be published. */
    public Uni<Void> account(long accountId, NotifyEvent event, Instant now) {
        return insert(accountId, OutboxRow.ACCOUNT, null, event, now);
    }

    /** Records, inside the caller's transaction, that a key's state must be published. */
    public Uni<Void> key(long accountId, long keyId, NotifyEvent event, Instant now) {
        return insert(accountId, OutboxRow.KEY, keyId, event, now);
    }

    private Uni<Void> insert(long accountId, String kind, Long keyId, NotifyEvent event, Instant now) {
        return tx.transaction(() -> NativeSql.update("INSERT INTO status_outbox (account_id, outbox_id, kind, key_id, "
                        + "event, created_at, next_attempt_at) VALUES (?1, nextval('status_outbox_id_seq'), ?2, "
                        + "cast(?3 as bigint), cast(?4 as text), ?5, ?5)", accountId, kind, keyId, encode(event), at(now)))
                .replaceWithVoid();
    }

    /** Accounts with rows due at {@code now} (the one statement that spans shards). */
    public Uni<List<Long>> dueAccounts(Instant now, int limit) {
        return tx.session(() -> NativeSql.column("SELECT DISTINCT account_id FROM status_outbox "
                + "WHERE next_attempt_at <= ?1 LIMIT ?2", Long.class, at(now), limit));
    }

    /** Takes the per-account advisory lock of the caller's transaction: one drain of an account at a time. */
    Uni<Void> lock(long accountId) {
        return NativeSql.list("SELECT pg_advisory_xact_lock(?1, ?2)", LOCK_CLASS,
                (int) (accountId ^ (accountId >>> 32))).replaceWithVoid();
    }

    /** Arbitrary 32-bit namespace of the outbox's advisory locks ("KOBX"). */
    private static final int LOCK_CLASS = 0x4b4f4258;

    /** The rows of an account, in the caller's transaction. */
    Uni<List<OutboxRow>> pending(long accountId) {
        return NativeSql.list("SELECT outbox_id, kind, key_id, event, attempts FROM status_outbox "
                        + "WHERE account_id = ?1 ORDER BY outbox_id LIMIT ?2", accountId, ROWS_PER_DRAIN)
                .map(rows -> {
                    List<OutboxRow> out = new ArrayList<>();
                    for (Object[] r : rows) {
                        out.add(new OutboxRow(accountId, NativeSql.lng(r[0]), (String) r[1],
                                r[2] == null ? null : NativeSql.lng(r[2]), (String) r[3],
                                (int) NativeSql.lng(r[4])));
                    }
                    return out;
                });
    }

    /** Deletes published rows, in the caller's transaction. */
    Uni<Void> delete(long accountId, List<Long> ids) {
        return NativeSql.update("DELETE FROM status_outbox WHERE account_id = ?1 AND outbox_id = ANY(?2)",
                accountId, ids.toArray(Long[]::new)).replaceWithVoid();
    }

    /** Counts a failed attempt on the given rows and sets when they are next due. */
    Uni<Void> failed(long accountId, List<Long> ids, Instant nextAttempt, String error) {
        return tx.transaction(() -> NativeSql.update("UPDATE status_outbox SET attempts = attempts + 1, "
                        + "next_attempt_at = ?3, last_error = cast(?4 as text) WHERE account_id = ?1 "
                        + "AND outbox_id = ANY(?2)", accountId, ids.toArray(Long[]::new), at(nextAttempt),
                truncate(error))).replaceWithVoid();
    }

    /** Rows still waiting for an account (operators and tests). */
    public Uni<Long> pendingCount(long accountId) {
        return tx.session(() -> NativeSql.single("SELECT count(*) FROM status_outbox WHERE account_id = ?1",
                Long.class, accountId));
    }

    NotifyEvent decode(String event) {
        if (event == null) {
            return null;
        }
        try {
            return NotifyEvent.fromFields(json.readValue(event, new TypeReference<Map<String, String>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable outbox event " + event, e);
        }
    }

    private String encode(NotifyEvent event) {
        if (event == null) {
            return null;
        }
        try {
            return json.writeValueAsString(event.toFields());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OffsetDateTime at(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }
}
