package ai.kiku.billing.entity;

import ai.kiku.billing.model.Account;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hibernate.annotations.DynamicUpdate;

import java.time.Instant;

/** A row of {@code accounts}; only the columns a change touches are updated. */
@Entity
@Table(name = "accounts")
@DynamicUpdate
public class AccountEntity {

    /** The column defaults of the schema (V1), which an INSERT of every column must repeat. */
    public static final long DEFAULT_LOW_BALANCE_THRESHOLD_MICROS = 1_000_000L;
    public static final int DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "account_id_seq")
    @SequenceGenerator(name = "account_id_seq", sequenceName = "account_id_seq", allocationSize = 1)
    @Column(name = "account_id")
    public Long accountId;

    @Column(name = "telegram_user_id")
    public Long telegramUserId;

    @Column(name = "display_name")
    public String displayName;

    public String status = Account.ACTIVE;

    @Column(name = "low_balance_threshold_micros")
    public long lowBalanceThresholdMicros = DEFAULT_LOW_BALANCE_THRESHOLD_MICROS;

    @Column(name = "default_rate_limit_per_minute")
    public int defaultRateLimitPerMinute = DEFAULT_RATE_LIMIT_PER_MINUTE;

    /** Times come from the application, never the server's clock (Citus). */
    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public Account toAccount() {
        return new Account(accountId, telegramUserId, displayName, status, lowBalanceThresholdMicros,
                defaultRateLimitPerMinute, createdAt);
    }
}
