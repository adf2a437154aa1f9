package ai.kiku.api.service;

import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.redis.KeySchema;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resolves {@code Authorization: Bearer kiku_live_...} to the account and key it belongs to, through
 * the key index billing publishes in Redis. A missing, malformed, unknown or revoked key all end in
 * the same 401. How long a result is trusted depends on who uses it: balance and the proxy run a Lua
 * script (peek, reserve) that checks the key's and the account's status itself on every call, and a
 * key's account:key pair never changes, so they reuse a found key for {@code kiku.api.rechecked-key-ttl};
 * everything else, and every "unknown", is trusted for only {@code kiku.api.auth-cache-ttl} (~100 ms),
 * so a revocation is seen there well within a second too.
 */
@ApplicationScoped
public class KeyResolver {

    /** Anthropic's API key header, accepted in place of Authorization. */
    public static final String API_KEY_HEADER = "x-api-key";


    private final Redis redis;
    private final Cache<String, Known> cache;
    private final long freshNanos;
    private final long refreshAfterNanos;

    /** A lookup's result, when it was made, and whether a background lookup is under way. */
    private record Known(Optional<ApiCaller> caller, long madeAtNanos, AtomicBoolean refreshing) {
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
     * old: for endpoints that do not check the key again themselves (usage, products, models).
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
        if (known != null && System.nanoTime() - known.madeAtNanos() <= freshNanos) {
            return answer(known.caller());
        }
        return lookup(key).compose(KeyResolver::answer);
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
                lookup(key).onFailure(e -> known.refreshing().set(false));
            }
            return answer(known.caller());
        }
        return lookup(key).compose(KeyResolver::answer);
    }

    private io.vertx.core.Future<Optional<ApiCaller>> lookup(String key) {
        long madeAt = System.nanoTime();
        String index = KeySchema.keyIndex(ApiKeyFormat.sha256Hex(key));
        return redis.getDelegate().send(Request.cmd(Command.GET).arg(index)).map(r -> {
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
