package ai.kiku.billing.repository;

import ai.kiku.billing.entity.ApiKeyEntity;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.KeyControls;
import ai.kiku.common.money.KeySpend;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and writes {@code api_keys}; only SHA-256 hashes of keys are ever stored. */
@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKeyEntity, ApiKeyEntity.Id> {

    /** A key row with the hash, which never leaves billing-service. */
    public record StoredKey(long accountId, String keyHash, ApiKey key) {
    }

    private final Transactions tx;

    public ApiKeyRepository(Transactions tx) {
        this.tx = tx;
    }

    public Uni<StoredKey> insert(long accountId, String keyHash, String prefix, String name, int rateLimit) {
        return tx.transaction(() -> getSession()
                .flatMap(s -> s.createNativeQuery("SELECT nextval('api_key_id_seq')", Long.class).getSingleResult())
                .flatMap(keyId -> {
                    ApiKeyEntity key = new ApiKeyEntity();
                    key.accountId = accountId;
                    key.keyId = keyId;
                    key.keyHash = keyHash;
                    key.prefix = prefix;
                    key.name = name;
                    key.rateLimitPerMinute = rateLimit;
                    key.createdAt = Instant.now();
                    return persistAndFlush(key);
                })
                .map(ApiKeyRepository::stored));
    }

    public Uni<List<StoredKey>> list(long accountId) {
        return tx.session(() -> list("accountId = ?1 order by keyId", accountId))
                .map(keys -> keys.stream().map(ApiKeyRepository::stored).toList());
    }

    /** The key, in the caller's session when there is one. */
    public Uni<Optional<StoredKey>> find(long accountId, long keyId) {
        return tx.session(() -> findById(new ApiKeyEntity.Id(accountId, keyId)))
                .map(k -> Optional.ofNullable(k).map(ApiKeyRepository::stored));
    }

    /**
     * Marks a key revoked inside the caller's transaction (idempotent: the row is locked and the first
     * revocation time kept); empty when there is no such key. The time comes from here (Citus).
     */
    public Uni<Optional<StoredKey>> revoke(long accountId, long keyId, Instant now) {
        return tx.transaction(() -> findById(new ApiKeyEntity.Id(accountId, keyId), LockModeType.PESSIMISTIC_WRITE)
                .flatMap(k -> {
                    if (k == null) {
                        return Uni.createFrom().item(Optional.<StoredKey>empty());
                    }
                    if (k.revokedAt == null) {
                        k.status = ApiKey.REVOKED;
                        k.revokedAt = now;
                    }
                    return flush().replaceWith(Optional.of(stored(k)));
                }));
    }

    /**
     * Replaces a key's controls inside the caller's transaction, the row locked so concurrent changes
     * apply one after the other; empty when there is no such key.
     */
    public Uni<Optional<StoredKey>> updateControls(long accountId, long keyId,
                                                   java.util.function.UnaryOperator<KeyControls> change) {
        return tx.transaction(() -> findById(new ApiKeyEntity.Id(accountId, keyId), LockModeType.PESSIMISTIC_WRITE)
                .flatMap(k -> {
                    if (k == null) {
                        return Uni.createFrom().item(Optional.<StoredKey>empty());
                    }
                    k.controls(change.apply(k.controls()));
                    return flush().replaceWith(Optional.of(stored(k)));
                }));
    }

    /**
     * What each key of an account spent according to usage_records, in total and in {@code [monthStart,
     * monthEnd)} (one single-shard statement; times are parameters, Citus).
     */
    public Uni<Map<Long, KeySpend.Spent>> spentByKey(long accountId, Instant monthStart, Instant monthEnd) {
        return tx.session(() -> NativeSql.list("SELECT key_id, coalesce(sum(cost_micros), 0)::bigint, "
                        + "coalesce(sum(cost_micros) FILTER (WHERE occurred_at >= ?2 AND occurred_at < ?3), 0)::bigint "
                        + "FROM usage_records WHERE account_id = ?1 GROUP BY key_id", accountId,
                monthStart.atOffset(ZoneOffset.UTC), monthEnd.atOffset(ZoneOffset.UTC))).map(rows -> {
                    Map<Long, KeySpend.Spent> spent = new LinkedHashMap<>();
                    for (Object[] r : rows) {
                        spent.put(NativeSql.lng(r[0]), new KeySpend.Spent(NativeSql.lng(r[1]), NativeSql.lng(r[2])));
                    }
                    return spent;
                });
    }

    private static StoredKey stored(ApiKeyEntity k) {
        return new StoredKey(k.accountId, k.keyHash, k.toApiKey());
    }
}
