package ai.kiku.billing.repository;

import ai.kiku.billing.entity.ApiKeyEntity;
import ai.kiku.common.contract.ApiKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.util.List;
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

    private static StoredKey stored(ApiKeyEntity k) {
        return new StoredKey(k.accountId, k.keyHash, k.toApiKey());
    }
}
