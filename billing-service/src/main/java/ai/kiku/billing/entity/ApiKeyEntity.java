package ai.kiku.billing.entity;

import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.KeyControls;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A row of {@code api_keys}, keyed by (account, key) so that every statement on it is single-shard
 * (Citus). Only changed columns are updated: the usage consumer moves {@code last_used_at} concurrently.
 */
@Entity
@Table(name = "api_keys")
@IdClass(ApiKeyEntity.Id.class)
@DynamicUpdate
public class ApiKeyEntity {

    /** The composite primary key. */
    public static class Id implements Serializable {
        public Long accountId;
        public Long keyId;

        public Id() {
        }

        public Id(long accountId, long keyId) {
            this.accountId = accountId;
            this.keyId = keyId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id id && Objects.equals(accountId, id.accountId) && Objects.equals(keyId, id.keyId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, keyId);
        }
    }

    @jakarta.persistence.Id
    @Column(name = "account_id")
    public Long accountId;

    /** From {@code api_key_id_seq}, assigned before the insert. */
    @jakarta.persistence.Id
    @Column(name = "key_id")
    public Long keyId;

    /** SHA-256 hex of the key; the plaintext is never stored. */
    @Column(name = "key_hash")
    public String keyHash;

    public String prefix;

    public String name;

    @Column(name = "rate_limit_per_minute")
    public int rateLimitPerMinute;

    public String status = ApiKey.ACTIVE;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** The key's controls (V30), each null when unset: unlimited. */
    @Column(name = "spend_cap_micros")
    public Long spendCapMicros;

    @Column(name = "monthly_spend_cap_micros")
    public Long monthlySpendCapMicros;

    /** One catalogue model name per line. */
    @Column(name = "allowed_models")
    public String allowedModels;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "tokens_per_minute")
    public Integer tokensPerMinute;

    public ApiKey toApiKey() {
        KeyControls controls = controls();
        return new ApiKey(keyId, null, prefix, name, rateLimitPerMinute, status, createdAt, lastUsedAt,
                controls.none() ? null : controls);
    }

    public KeyControls controls() {
        List<String> models = allowedModels == null ? null : Arrays.asList(allowedModels.split("\n"));
        return new KeyControls(spendCapMicros, monthlySpendCapMicros, models, expiresAt, tokensPerMinute);
    }

    public void controls(KeyControls c) {
        spendCapMicros = c.spendCapMicros();
        monthlySpendCapMicros = c.monthlySpendCapMicros();
        allowedModels = c.allowedModels() == null ? null : String.join("\n", c.allowedModels());
        expiresAt = c.expiresAt();
        tokensPerMinute = c.tokensPerMinute();
    }
}
