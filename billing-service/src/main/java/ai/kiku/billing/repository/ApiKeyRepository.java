package ai.kiku.billing.repository;

import ai.kiku.common.contract.ApiKey;
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

/** Reads and writes {@code api_keys}; only SHA-256 hashes of keys are ever stored. */
@ApplicationScoped
public class ApiKeyRepository {

    private static final String COLUMNS = "key_id, key_hash, prefix, name, rate_limit_per_minute, status, "
            + "created_at, last_used_at";

    /** A key row with the hash, which never leaves billing-service. */
    public record StoredKey(long accountId, String keyHash, ApiKey key) {
    }

    private final Pool pool;

    public ApiKeyRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<StoredKey> insert(long accountId, String keyHash, String prefix, String name, int rateLimit) {
        return pool.preparedQuery("INSERT INTO api_keys (account_id, key_id, key_hash, prefix, name, "
                        + "rate_limit_per_minute) VALUES ($1, nextval('api_key_id_seq'), $2, $3, $4, $5) RETURNING "
                        + COLUMNS)
                .execute(Tuple.of(accountId, keyHash, prefix, name, rateLimit))
                .map(rows -> map(accountId, rows.iterator().next()));
    }

    public Uni<List<StoredKey>> list(long accountId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_keys WHERE account_id = $1 ORDER BY key_id")
                .execute(Tuple.of(accountId)).map(rows -> Rows.list(rows, r -> map(accountId, r)));
    }

    public Uni<Optional<StoredKey>> find(SqlClient client, long accountId, long keyId) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM api_keys WHERE account_id = $1 AND key_id = $2")
                .execute(Tuple.of(accountId, keyId)).map(rows -> Rows.first(rows, r -> map(accountId, r)));
    }

    /**
     * Marks a key revoked inside the caller's transaction (idempotent: the first revocation time is
     * kept); empty when there is no such key. The time is a parameter and the first-time test a WHERE
     * clause: Citus refuses {@code now()}, and non-IMMUTABLE functions inside COALESCE, on a distributed table.
     */
    public Uni<Optional<StoredKey>> revoke(SqlClient tx, long accountId, long keyId, Instant now) {
        return tx.preparedQuery("UPDATE api_keys SET status = 'revoked', revoked_at = $3 "
                        + "WHERE account_id = $1 AND key_id = $2 AND revoked_at IS NULL RETURNING " + COLUMNS)
                .execute(Tuple.of(accountId, keyId, now.atOffset(ZoneOffset.UTC)))
                .flatMap(rows -> rows.rowCount() > 0
                        ? Uni.createFrom().item(Rows.first(rows, r -> map(accountId, r)))
                        : find(tx, accountId, keyId));
    }

    private static StoredKey map(long accountId, Row r) {
        return new StoredKey(accountId, r.getString("key_hash"), new ApiKey(r.getLong("key_id"), null,
                r.getString("prefix"), r.getString("name"), r.getInteger("rate_limit_per_minute"),
                r.getString("status"), Rows.instant(r, "created_at"), Rows.instant(r, "last_used_at")));
    }
}
