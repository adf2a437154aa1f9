package ai.kiku.billing.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A row of {@code telegram_identities}: the one account of a Telegram user (its primary key decides races). */
@Entity
@Table(name = "telegram_identities")
public class TelegramIdentityEntity {

    @Id
    @Column(name = "telegram_user_id")
    public Long telegramUserId;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "created_at")
    public Instant createdAt;
}
