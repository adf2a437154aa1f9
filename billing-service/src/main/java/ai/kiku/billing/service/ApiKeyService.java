package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.outbox.StatusOutbox;
import ai.kiku.billing.outbox.StatusPropagator;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.billing.repository.ApiKeyRepository;
import ai.kiku.billing.repository.ApiKeyRepository.StoredKey;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import io.smallrye.mutiny.Uni;
import ai.kiku.billing.repository.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/** API keys: issued once in plaintext, stored as hashes, published to Redis, revoked at once. */
@ApplicationScoped
public class ApiKeyService {

    private final ApiKeyRepository keys;
    private final AccountService accounts;
    private final RedisState redisState;
    private final NotifyPublisher notify;
    private final Transactions tx;
    private final StatusOutbox outbox;
    private final StatusPropagator propagator;

    public ApiKeyService(ApiKeyRepository keys, AccountService accounts, RedisState redisState, NotifyPublisher notify,
                         Transactions tx, StatusOutbox outbox, StatusPropagator propagator) {
        this.keys = keys;
        this.accounts = accounts;
        this.redisState = redisState;
        this.notify = notify;
        this.tx = tx;
        this.outbox = outbox;
        this.propagator = propagator;
    }

    /** Creates a key; the answer is the only place its plaintext ever appears. */
    public Uni<ApiKey> create(long accountId, InternalRequests.CreateKey body) {
        Check.body(body);
        String name = Check.text("name", body.name(), 64);
        Integer rate = Check.rateLimit("rateLimitPerMinute", body.rateLimitPerMinute());
        return accounts.require(accountId).flatMap(account -> {
            if (Account.CLOSED.equals(account.status())) {
                throw ProblemException.conflict("account " + accountId + " is closed");
            }
            String plaintext = ApiKeyFormat.generate();
            int rpm = rate != null ? rate : account.defaultRateLimitPerMinute();
            return keys.insert(accountId, ApiKeyFormat.sha256Hex(plaintext),
                            plaintext.substring(0, ApiKeyFormat.DISPLAY_LENGTH), name, rpm)
                    .call(redisState::publishKey)
                    .call(stored -> notify.publish(event(account, stored, NotifyEventType.KEY_CREATED)))
                    .map(stored -> stored.key().withPlaintext(plaintext));
        });
    }

    public Uni<List<ApiKey>> list(long accountId) {
        return accounts.require(accountId).flatMap(a -> keys.list(accountId))
                .map(all -> all.stream().map(StoredKey::key).toList());
    }

    /**
     * Revokes a key: PostgreSQL commits the revocation together with an outbox row, then Redis is
     * told at once; if Redis is down the answer is still the (committed) revocation and the outbox
     * worker publishes it as soon as Redis takes writes. Repeating it is harmless.
     */
    public Uni<ApiKey> revoke(long accountId, long keyId) {
        return accounts.require(accountId).flatMap(account -> tx.transaction(() -> keys
                        .revoke(accountId, keyId, Instant.now())
                        .map(k -> k.orElseThrow(() -> ProblemException.notFound("key " + keyId + " of account " + accountId)))
                        .call(stored -> outbox.key(accountId, keyId, event(account, stored, NotifyEventType.KEY_REVOKED),
                                Instant.now())))
                .call(stored -> propagator.drain(accountId))
                .map(StoredKey::key));
    }

    /**
     * Sets or clears a key's controls: like a revocation, PostgreSQL commits the change with an outbox
     * row and Redis is told at once (or by the outbox worker once Redis takes writes again), so the
     * next reservation with the key enforces them.
     */
    public Uni<ApiKey> updateControls(long accountId, long keyId, InternalRequests.UpdateKey body) {
        KeyControlsChange change = KeyControlsChange.of(body);
        return accounts.require(accountId).flatMap(account -> tx.transaction(() -> keys
                        .updateControls(accountId, keyId, change)
                        .map(k -> k.orElseThrow(() -> ProblemException.notFound("key " + keyId + " of account " + accountId)))
                        .call(stored -> outbox.key(accountId, keyId, null, Instant.now())))
                .call(stored -> propagator.drain(accountId))
                .map(StoredKey::key));
    }

    private static NotifyEvent event(Account account, StoredKey stored, NotifyEventType type) {
        String id = (type == NotifyEventType.KEY_CREATED ? "key_created:" : "key_revoked:") + stored.key().keyId();
        return new NotifyEvent(id, type, account.accountId(),
                account.telegramUserId() == null ? 0 : account.telegramUserId(), 0, 0,
                stored.key().prefix() + " " + stored.key().name(), System.currentTimeMillis());
    }
}
