package ai.kiku.billing.repository;

import ai.kiku.billing.entity.TelegramIdentityEntity;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code telegram_identities}: which account belongs to a Telegram user. */
@ApplicationScoped
public class TelegramIdentityRepository implements PanacheRepositoryBase<TelegramIdentityEntity, Long> {
}
