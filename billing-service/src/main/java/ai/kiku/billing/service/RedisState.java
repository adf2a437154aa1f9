package ai.kiku.billing.service;

import ai.kiku.billing.model.Account;
import ai.kiku.common.contract.ApiKey;
import ai.kiku.common.contract.KeyControls;
import ai.kiku.billing.repository.ApiKeyRepository.StoredKey;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Publishes the account and key state the api-service reads from Redis (never PostgreSQL) on its
 * hot path: account hash, key hash and key index.
 */
@ApplicationScoped
public class RedisState {

    private static final LuaScript PUBLISH_ACCOUNT = LuaScript.load("publish_account");
    private static final LuaScript PUBLISH_KEY = LuaScript.load("publish_key");

    private static final int REFS_PER_CALL = 500;

    private final Redis redis;

    public RedisState(Redis redis) {
        this.redis = redis;
    }

    /** Creates or updates the account hash; balance and held are never overwritten. */
    public Uni<Void> publishAccount(Account account) {
        return PUBLISH_ACCOUNT.run(redis, List.of(KeySchema.account(account.accountId())),
                List.of(account.status(), Long.toString(account.lowBalanceThresholdMicros()))).replaceWithVoid();
    }

    /**
     * Publishes a key: the key hash first (reserve checks its status), then the index that resolves
     * the plaintext; a revoked key loses its index and is marked revoked, which stops metered calls at once.
     * Revocation is final in Redis too (publish_key.lua): a stale "active" never revives a revoked key,
     * and the index is dropped again if a revoke landed between the two writes. The key's controls
     * (spend caps, allowed models "\n"-framed, expiry in epoch ms, tokens per minute) go with it, '' when unset.
     */
    public Uni<Void> publishKey(StoredKey stored) {
        ApiKey key = stored.key();
        String hash = KeySchema.apiKey(stored.accountId(), key.keyId());
        String index = KeySchema.keyIndex(stored.keyHash());
        KeyControls c = key.controlsOrNone();
        Uni<String> state = PUBLISH_KEY.run(redis, List.of(hash), List.of(key.status(),
                Integer.toString(key.rateLimitPerMinute()), Long.toString(stored.accountId()),
                text(c.tokensPerMinute()), text(c.spendCapMicros()), text(c.monthlySpendCapMicros()),
                c.expiresAt() == null ? "" : Long.toString(c.expiresAt().toEpochMilli()),
                c.allowedModels() == null ? "" : "\n" + String.join("\n", c.allowedModels()) + "\n"))
                .map(Response::toString);
        return state.flatMap(status -> {
            if (!ApiKey.ACTIVE.equals(status)) {
                return redis.send(Request.cmd(Command.DEL).arg(index)).replaceWithVoid();
            }
            return redis.send(Request.cmd(Command.SET).arg(index).arg(stored.accountId() + ":" + key.keyId()))
                    .flatMap(r -> redis.send(Request.cmd(Command.HGET).arg(hash).arg("status")))
                    .flatMap(now -> now != null && ApiKey.ACTIVE.equals(now.toString())
                            ? Uni.createFrom().voidItem()
                            : redis.send(Request.cmd(Command.DEL).arg(index)).replaceWithVoid());
        });
    }

    private static String text(Number value) {
        return value == null ? "" : value.toString();
    }

    /** Of the given ledger references, those the account's Redis {@code refs} hash knows (applied there). */
    public Uni<Set<String>> knownReferences(long accountId, Collection<String> references) {
        List<String> all = new ArrayList<>(references);
        Uni<Set<String>> known = Uni.createFrom().item(new HashSet<>());
        for (int from = 0; from < all.size(); from += REFS_PER_CALL) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + REFS_PER_CALL));
            known = known.flatMap(set -> {
                Request hmget = Request.cmd(Command.HMGET).arg(KeySchema.refs(accountId));
                chunk.forEach(hmget::arg);
                return redis.send(hmget).map(r -> {
                    for (int i = 0; i < chunk.size(); i++) {
                        if (r.get(i) != null) {
                            set.add(chunk.get(i));
                        }
                    }
                    return set;
                });
            });
        }
        return known;
    }

    /** The account's status in Redis; empty when Redis has no account hash. */
    public Uni<String> accountStatus(long accountId) {
        return redis.send(Request.cmd(Command.HGET).arg(KeySchema.account(accountId)).arg("status"))
                .map(r -> r == null ? "" : r.toString());
    }

    /** A key as Redis has it: its status (empty when missing) and whether its index resolves it. */
    public record KeyState(String status, boolean indexed) {
    }

    public Uni<KeyState> keyState(StoredKey stored) {
        return redis.send(Request.cmd(Command.HGET).arg(KeySchema.apiKey(stored.accountId(), stored.key().keyId()))
                        .arg("status"))
                .flatMap(status -> redis.send(Request.cmd(Command.EXISTS).arg(KeySchema.keyIndex(stored.keyHash())))
                        .map(exists -> new KeyState(status == null ? "" : status.toString(), exists.toLong() > 0)));
    }

    /** Number of open holds of an account (requests reserved but not yet settled). */
    public Uni<Integer> openHolds(long accountId) {
        return redis.send(Request.cmd(Command.HVALS).arg(KeySchema.holds(accountId))).map(r -> {
            int open = 0;
            if (r != null) {
                for (Response v : r) {
                    if (v.toString().endsWith(":o")) { // "amount:o" or "amount:keyId:o" (prelude.lua)
                        open++;
                    }
                }
            }
            return open;
        });
    }
}
