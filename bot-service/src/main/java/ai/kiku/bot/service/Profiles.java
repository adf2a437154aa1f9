package ai.kiku.bot.service;

import ai.kiku.bot.client.Backend;
import ai.kiku.bot.repository.ProfileCache;
import ai.kiku.common.contract.AccountView;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** A Telegram user's account: from the 5-minute cache when it has it, else from billing (and then cached). */
@ApplicationScoped
public class Profiles {

    private final Backend backend;
    private final ProfileCache cache;

    public Profiles(Backend backend, ProfileCache cache) {
        this.backend = backend;
        this.cache = cache;
    }

    public Optional<AccountView> account(long telegramUserId) {
        Optional<AccountView> cached = cache.get(telegramUserId);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<AccountView> found = backend.account(telegramUserId);
        found.ifPresent(a -> cache.put(telegramUserId, a));
        return found;
    }

    public AccountView ensure(long telegramUserId, String displayName) {
        AccountView account = backend.ensureAccount(telegramUserId, displayName);
        cache.put(telegramUserId, account);
        return account;
    }

    /** Something about the account changed (money, threshold, keys): the next read asks billing. */
    public void changed(long telegramUserId) {
        cache.invalidate(telegramUserId);
    }
}
