package ai.kiku.api.service;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import ai.kiku.api.redis.HotPath;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resolves {@code Authorization: Bearer kiku_live_...} to the account and key it belongs to, through
 * the key index billing publishes in Redis. A missing, malformed, unknown or revoked key all end in
 * the same 401; an expired key ends in a 401 that says it expired. How long a result is trusted depends
 * on who uses it: balance and the proxy run a Lua script (peek, reserve) that checks the key's status,
 * its expiry and the account's status itself on every call, and a key's account:key pair never
 * changes, so they reuse a found key for {@code kiku.api.rechecked-key-ttl}; everything else, and every
 * "unknown", is trusted for only {@code kiku.api.auth-cache-ttl} (~100 ms), so a revocation is seen
 * there well within a second too. Those other endpoints also learn the key's expiry with the lookup
 * and check it on every use, so a key is refused from its expiry on even while it is cached.
 */
@ApplicationScoped
public class KeyResolver {

    /** Anthropic's API key header, accepted in place of Authorization. */
    public static final String API_KEY_HEADER = "x-api-key";


    /** Milliseconds from now to a key's expiry on Redis' clock (the one reserve and peek use). */
    private static final LuaScript KEY_EXPIRY = LuaScript.load("key_expiry");

    /** {@link Known#expiresAfterNanos} of a lookup that did not read the expiry (the rechecked path's). */
    private static final long UNREAD = Long.MIN_VALUE;

    /** {@link Known#expiresAfterNanos} of a key without expiry, or of no key at all. */
    private static final long NEVER = Long.MAX_VALUE;

    /** Expiries further off either way are alike to an entry that lives seconds; keeps clear of the sentinels. */
    private static final long HORIZON_MILLIS = Duration.ofDays(366).toMillis();

    private final Redis redis;
    private final Cache<String, Known> cache;
    private final long freshNanos;
    private final long refreshAfterNanos;

    /**
     * A lookup's result, when it was made, whether a background lookup is under way, and how long after
     * {@code madeAtNanos} the key expires ({@link #UNREAD}, {@link #NEVER}, or negative when already past).
     */
    private record Known(Optional<ApiCaller> caller, long madeAtNanos, AtomicBoolean refreshing,
                         long expiresAfterNanos) {

        boolean expiredAt(long nowNanos) {
            return nowNanos - madeAtNanos >= expiresAfterNanos;
        }
    }

    public KeyResolver(@HotPath Redis redis, ApiConfig config) {
        this.redis = redis;
        long fresh = config.authCacheTtl().toNanos();
        long rechecked = Math.max(fresh, config.recheckedKeyTtl().toNanos());
        this.cache = Caffeine.newBuilder()
                // Maintenance (draining the read buffers, expiring) runs on the calling event loop: with
                // writes this rare it is a few array scans, while the default executor woke a
                // ForkJoinPool thread several dozen times a second under load (~7 µs of CPU per call
                // on that thread alone, plus the futex wake-ups).
                .executor(Runnable::run)
                // a found key lives as long as its longest use; "unknown" only as long as the short one
                .expireAfter(Expiry.<String, Known>writing((key, known) -> known.caller().isPresent()
                        ? Duration.ofNanos(rechecked) : Duration.ofNanos(fresh)))
                .maximumSize(config.authCacheSize())
                .build();
        this.freshNanos = fresh;
        this.refreshAfterNanos = rechecked / 4 * 3;
    }

    /**
     * The caller, or a failed Uni with the 401 problem, from a lookup at most {@code auth-cache-ttl}
     * old: for endpoints that do not check the key again themselves (usage, products, models). A key
     * past its expiry is refused ({@link #expired}) from that moment on, cached or not.
     */
    public Uni<ApiCaller> resolve(String authorization) {
        return Uni.createFrom().completionStage(() -> resolveFresh(authorization).toCompletionStage());
    }

    private io.vertx.core.Future<ApiCaller> resolveFresh(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            return io.vertx.core.Future.failedFuture(unauthorized());
        }
        Known known = cache.getIfPresent(key);
        long now = System.nanoTime();
        if (known != null && known.expiresAfterNanos() != UNREAD && now - known.madeAtNanos() <= freshNanos) {
            return answerChecked(known, now);
        }
        return lookup(key, true).compose(found -> answerChecked(found, System.nanoTime()));
    }

    /** The caller, unless the key is unknown or, by now, expired: checked on every use, not only per lookup. */
    private static io.vertx.core.Future<ApiCaller> answerChecked(Known known, long nowNanos) {
        if (known.caller().isPresent() && known.expiredAt(nowNanos)) {
            return io.vertx.core.Future.failedFuture(expired());
        }
        return answer(known.caller());
    }

    /**
     * The caller as a plain Vert.x future, for callers whose Redis script refuses an inactive key or
     * account itself (balance's peek, the proxy's reserve; both {@link #forget} a key it refuses):
     * a found key is reused for up to {@code rechecked-key-ttl}, so these calls make one Redis round
     * trip, not two. They also avoid Mutiny's per-operator work (context capture).
     */
    public io.vertx.core.Future<ApiCaller> resolveRechecked(String authorization) {
        String key = bearer(authorization);
        if (key == null) {
            return io.vertx.core.Future.failedFuture(unauthorized());
        }
        // Keyed by the presented key itself: a hit (nearly every call) costs no SHA-256. The key is held
        // in this process's memory for at most rechecked-key-ttl after it was looked up.
        Known known = cache.getIfPresent(key);
        if (known != null) {
            // Ageing: look it up again without waiting, so a key in steady use never waits for the lookup.
            if (System.nanoTime() - known.madeAtNanos() > refreshAfterNanos
                    && known.refreshing().compareAndSet(false, true)) {
                lookup(key, false).onFailure(e -> known.refreshing().set(false));
            }
            return answer(known.caller());
        }
        return lookup(key, false).compose(found -> answer(found.caller()));
    }

    /**
     * Looks the key up in the index and caches the result. With {@code readExpiry} a found key's expiry is
     * read too, a second round trip (its hash is in its account's slot, the index is not, so one script
     * cannot read both); the rechecked path skips it, its script checks the expiry itself.
     */
    private io.vertx.core.Future<Known> lookup(String key, boolean readExpiry) {
        long madeAt = System.nanoTime();
        String index = KeySchema.keyIndex(ApiKeyFormat.sha256Hex(key));
        return redis.getDelegate().send(Request.cmd(Command.GET).arg(index)).compose(r -> {
            Optional<ApiCaller> caller = r == null ? Optional.empty() : parse(r.toString());
            if (caller.isEmpty() || !readExpiry) {
                return io.vertx.core.Future.succeededFuture(remember(key,
                        new Known(caller, madeAt, new AtomicBoolean(), caller.isEmpty() ? NEVER : UNREAD)));
            }
            ApiCaller found = caller.get();
            // The time left is measured by Redis after madeAt and counted here from madeAt, so the key is
            // refused at most a round trip or two early, never late, whatever this instance's wall clock says.
            return KEY_EXPIRY.call(redis.getDelegate(), List.of(KeySchema.apiKey(found.accountId(), found.keyId())),
                    List.of()).map(left -> remember(key, new Known(caller, madeAt, new AtomicBoolean(),
                    left == null ? NEVER : expiresAfterNanos(left.toLong()))));
        });
    }

    private Known remember(String key, Known known) {
        cache.put(key, known);
        return known;
    }

    static long expiresAfterNanos(long millisLeft) {
        return Math.max(-HORIZON_MILLIS, Math.min(HORIZON_MILLIS, millisLeft)) * 1_000_000L;
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

    /**
     * The credentials a request presents, as an Authorization value: the header itself, or, when
     * there is none, Anthropic's {@code x-api-key} header (what the Anthropic SDKs send) as a bearer
     * token. One key per request: with both headers, Authorization counts.
     */
    public static String presented(HttpServerRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            return authorization;
        }
        String apiKey = request.getHeader(API_KEY_HEADER);
        return apiKey == null ? null : "Bearer " + apiKey;
    }

    /** The one answer for every authentication failure, so the reasons cannot be told apart. */
    public static ProblemException unauthorized() {
        return ProblemException.unauthorized("a valid API key is required: Authorization: Bearer kiku_live_...");
    }

    /**
     * The answer to a key past its expiry (docs/key-controls.md), on every endpoint: a 401 like an invalid
     * key (OpenAI's {@code invalid_api_key} on /v1), whose message tells its holder why.
     */
    public static ProblemException expired() {
        return ProblemException.unauthorized("this API key has expired; use another key or ask for a new one");
    }

    static String bearer(String authorization) {
        // the platform's one reading of Authorization, so a header is accepted or refused alike everywhere
        String key = BearerToken.credentials(authorization);
        if (key == null) {
            return null;
        }
        return ApiKeyFormat.wellFormed(key) ? key : null;
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
