package ai.kiku.api.service;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.redis.KeySchema;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import ai.kiku.api.config.HotPath;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resolves {@code Authorization: Bearer kiku_live_...} to the account and key it belongs to, through
 * the key index billing publishes in Redis. A missing, malformed, unknown or revoked key all end in
 * the same 401; results (also "unknown") are remembered for only ~100 ms so a revocation is seen
 * everywhere well within a second, and metered calls re-check the key's status inside reserve. A key
 * in use is looked up again in the background once its result is three quarters of that old, so
 * its calls do not wait for the lookup each time the result runs out.
 */
@ApplicationScoped
public class KeyResolver {

    static final String PREFIX = "kiku_live_";
    private static final int SECRET_LENGTH = 43;
    private static final HexFormat HEX = HexFormat.of();

    private final Redis redis;
    private final Cache<String, Known> cache;
    private final long refreshAfterNanos;

    /** A lookup's result, when it was made, and whether a background lookup is under way. */
    private record Known(Optional<ApiCaller> caller, long madeAtNanos, AtomicBoolean refreshing) {
    }

    public KeyResolver(@HotPath Redis redis, ApiConfig config) {
        this.redis = redis;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(config.authCacheTtl())
                .maximumSize(config.authCacheSize())
                .build();
        this.refreshAfterNanos = config.authCacheTtl().toNanos() / 4 * 3;
    }

    /** The caller, or a failed Uni with the 401 problem. */
    public Uni<ApiCaller> resolve(String authorization) {
        return Uni.createFrom().completionStage(() -> resolveFuture(authorization).toCompletionStage());
    }

    /**
     * The caller as a plain Vert.x future: the hot paths (balance, proxy) avoid Mutiny's
     * per-operator work (context capture); {@link #resolve} wraps it for the others.
     */
    public io.vertx.core.Future<ApiCaller> resolveFuture(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            return io.vertx.core.Future.failedFuture(unauthorized());
        }
        // Keyed by the presented key itself: a hit (nearly every call) costs no SHA-256. The key is only
        // held in this process's memory, for the cache's ~100 ms, as it is while the request is served.
        Known known = cache.getIfPresent(key);
        if (known != null) {
            // Still valid (the cache drops it at the TTL); ageing: look it up again without waiting.
            // The new result replaces this one only when it arrives, so staleness stays within the TTL.
            if (System.nanoTime() - known.madeAtNanos() > refreshAfterNanos
                    && known.refreshing().compareAndSet(false, true)) {
                lookup(key).onFailure(e -> known.refreshing().set(false));
            }
            return answer(known.caller());
        }
        return lookup(key).compose(KeyResolver::answer);
    }

    private io.vertx.core.Future<Optional<ApiCaller>> lookup(String key) {
        long madeAt = System.nanoTime();
        return redis.getDelegate().send(Request.cmd(Command.GET).arg(KeySchema.keyIndex(sha256Hex(key)))).map(r -> {
            Optional<ApiCaller> caller = r == null ? Optional.empty() : parse(r.toString());
            cache.put(key, new Known(caller, madeAt, new AtomicBoolean()));
            return caller;
        });
    }

    private static io.vertx.core.Future<ApiCaller> answer(Optional<ApiCaller> caller) {
        return caller.isPresent() ? io.vertx.core.Future.succeededFuture(caller.get())
                : io.vertx.core.Future.failedFuture(unauthorized());
    }

    /** Drops a key from this process's cache (after Redis said it is no longer active). */
    public void forget(String authorization) {
        String key = bearer(authorization);
        if (key != null) {
            cache.invalidate(key);
        }
    }

    /** The one answer for every authentication failure, so the reasons cannot be told apart. */
    public static ProblemException unauthorized() {
        return ProblemException.unauthorized("a valid API key is required: Authorization: Bearer kiku_live_...");
    }

    static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        int from = 7;
        int to = authorization.length();
        while (from < to && authorization.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && authorization.charAt(to - 1) <= ' ') {
            to--;
        }
        String key = from == 7 && to == authorization.length() ? authorization.substring(7)
                : authorization.substring(from, to);
        if (key.length() != PREFIX.length() + SECRET_LENGTH || !key.startsWith(PREFIX)) {
            return null;
        }
        for (int i = PREFIX.length(); i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return null;
            }
        }
        return key;
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    static String sha256Hex(String key) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return HEX.formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static Optional<ApiCaller> parse(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ApiCaller(Long.parseLong(value.substring(0, colon)),
                    Long.parseLong(value.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
