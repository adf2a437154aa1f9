package ai.kiku.billing.outbox;

import ai.kiku.common.events.NotifyEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
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

    private final Pool pool;
    private final ObjectMapper json;

    public StatusOutbox(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** Records, inside the caller's transaction, that an account's state must be published. */
    public Uni<Void> account(SqlClient tx, long accountId, NotifyEvent event, Instant now) {
        return insert(tx, accountId, OutboxRow.ACCOUNT, null, event, now);
    }

    /** Records, inside the caller's transaction, that a key's state must be published. */
    public Uni<Void> key(SqlClient tx, long accountId, long keyId, NotifyEvent event, Instant now) {
        return insert(tx, accountId, OutboxRow.KEY, keyId, event, now);
    }

    private Uni<Void> insert(SqlClient tx, long accountId, String kind, Long keyId, NotifyEvent event, Instant now) {
        OffsetDateTime t = at(now);
        return tx.preparedQuery("INSERT INTO status_outbox (account_id, outbox_id, kind, key_id, event, created_at, "
                        + "next_attempt_at) VALUES ($1, nextval('status_outbox_id_seq'), $2, $3, $4, $5, $5)")
                .execute(Tuple.tuple(List.of(accountId, kind)).addValue(keyId).addValue(encode(event)).addValue(t))
                .replaceWithVoid();
    }

    /** Accounts with rows due at {@code now} (the one statement that spans shards). */
    public Uni<List<Long>> dueAccounts(Instant now, int limit) {
        return pool.preparedQuery("SELECT DISTINCT account_id FROM status_outbox WHERE next_attempt_at <= $1 LIMIT $2")
                .execute(Tuple.of(at(now), limit)).map(rows -> {
                    List<Long> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getLong(0)));
                    return out;
                });
    }

    /** Takes the per-account advisory lock of the transaction: one drain of an account at a time. */
    Uni<Void> lock(SqlClient tx, long accountId) {
        return tx.preparedQuery("SELECT pg_advisory_xact_lock($1, $2)")
                .execute(Tuple.of(LOCK_CLASS, (int) (accountId ^ (accountId >>> 32)))).replaceWithVoid();
    }

    /** Arbitrary 32-bit namespace of the outbox's advisory locks ("KOBX"). */
    private static final int LOCK_CLASS = 0x4b4f4258;

    Uni<List<OutboxRow>> pending(SqlClient tx, long accountId) {
        return tx.preparedQuery("SELECT outbox_id, kind, key_id, event, attempts FROM status_outbox "
                        + "WHERE account_id = $1 ORDER BY outbox_id LIMIT $2")
                .execute(Tuple.of(accountId, ROWS_PER_DRAIN)).map(rows -> {
                    List<OutboxRow> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new OutboxRow(accountId, r.getLong("outbox_id"), r.getString("kind"),
                                r.getLong("key_id"), r.getString("event"), r.getInteger("attempts")));
                    }
                    return out;
                });
    }

    Uni<Void> delete(SqlClient tx, long accountId, List<Long> ids) {
        return tx.preparedQuery("DELETE FROM status_outbox WHERE account_id = $1 AND outbox_id = ANY($2)")
                .execute(Tuple.of(accountId, ids.toArray(Long[]::new))).replaceWithVoid();
    }

    /** Counts a failed attempt on the given rows and sets when they are next due. */
    Uni<Void> failed(long accountId, List<Long> ids, Instant nextAttempt, String error) {
        return pool.preparedQuery("UPDATE status_outbox SET attempts = attempts + 1, next_attempt_at = $3, "
                        + "last_error = $4 WHERE account_id = $1 AND outbox_id = ANY($2)")
                .execute(Tuple.of(accountId, ids.toArray(Long[]::new), at(nextAttempt), truncate(error)))
                .replaceWithVoid();
    }

    /** Rows still waiting for an account (operators and tests). */
    public Uni<Long> pendingCount(long accountId) {
        return pool.preparedQuery("SELECT count(*) FROM status_outbox WHERE account_id = $1")
                .execute(Tuple.of(accountId)).map(rows -> rows.iterator().next().getLong(0));
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
