package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;

import java.time.Duration;
import java.util.List;

/**
 * Keeps an open hold from expiring while its call is still running (a long stream), so a slow
 * call never frees its money before it settles. One {@code extend} Lua call; the new deadline is
 * Redis' clock + ttl, never earlier than the current one, and closed holds are left alone.
 */
public final class HoldExtender {

    private static final LuaScript EXTEND = LuaScript.load("extend");

    private final Redis redis;

    public HoldExtender(Redis redis) {
        this.redis = redis;
    }

    /** Moves the deadline of open hold {@code holdId} to Redis' now + {@code ttl}; false when the hold is not open. */
    public Uni<Boolean> extend(long accountId, String holdId, Duration ttl) {
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.holds(accountId),
                KeySchema.holdExpiries(accountId));
        return EXTEND.run(redis, keys, List.of(holdId, Long.toString(ttl.toMillis())))
                .map(r -> r.get(0).toInteger() == 1);
    }
}
