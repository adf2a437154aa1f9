package ai.kiku.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of the public API: limits and the cache lifetimes of the gateway. */
@ConfigMapping(prefix = "kiku.api")
public interface ApiConfig {

    /**
     * Largest request body accepted on a route without a limit of its own in {@link #bodyLimits()}; larger
     * bodies get 400 naming the body.
     */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** Body limits of the routes that need more than {@link #maxBodyBytes()}. */
    BodyLimits bodyLimits();

    /** Per-route body limits; keep quarkus.http.limits.max-body-size above the largest. */
    interface BodyLimits {

        /** Chat completions, both shapes: vision requests carry base64 images (20 MiB, OpenAI's own limit per image). */
        @WithDefault("20971520")
        int chat();
    }

    /**
     * Most request-body bytes this instance reads at once ({@link ai.kiku.api.http.BodyBudget}); a body that does not
     * fit is refused unread with 503 and Retry-After. Unset: an eighth of the maximum heap, because a body costs 3–4×
     * its size while it is parsed and sent on, so the bodies in flight then take at most about half the heap; never
     * less than the largest body limit, or a body that size could never be read.
     */
    Optional<Long> bodyBudgetBytes();

    /**
     * The secret the load balancer puts in front of its attempt id ({@code X-Kiku-Attempt: token:id}); unset, the
     * header is refused. With it, nginx may replay a POST it could not finish on another instance: the replay keeps
     * the request id, so the money scripts take it once (see RequestIds).
     */
    Optional<String> attemptToken();

    /**
     * How long a key lookup (also "unknown") is trusted where nothing checks the key again (usage,
     * products, models): a revocation is seen there after at most this.
     */
    @WithDefault("100ms")
    Duration authCacheTtl();

    /**
     * How long balance and the proxy reuse a found key: their Lua scripts refuse a revoked key or a
     * suspended account on every call themselves, so this only bounds memory, not revocation.
     */
    @WithDefault("10s")
    Duration recheckedKeyTtl();

    /** Most API keys remembered per process. */
    @WithDefault("100000")
    long authCacheSize();

    /** Per-process lifetime of a usage summary. */
    @WithDefault("1s")
    Duration usageL1Ttl();

    /** Lifetime of a usage summary in the shared Redis cache (at most a minute by contract). */
    @WithDefault("60s")
    Duration usageL2Ttl();

    /** Most usage summaries remembered per process. */
    @WithDefault("10000")
    long usageCacheSize();

    /**
     * Age after which the price catalogue is re-read from Redis (billing's copy) in the background; a copy twice
     * as old is not used before it was read again, so a catalogue change reaches new reservations within 2× this.
     */
    @WithDefault("30s")
    Duration catalogueTtl();

    /** Widest usage window a client may ask for, in days. */
    @WithDefault("366")
    int usageMaxDays();

    /** Hot path over one pinned Redis cluster connection per event loop (false: a pooled lease per command). */
    @WithDefault("true")
    boolean redisPinned();

    /** How long an event loop keeps its pinned Redis cluster connection before taking a fresh one. */
    @WithDefault("5s")
    Duration redisConnectionRenew();

    /**
     * Longest a metered call may stream. A stream still running then is cut: the client gets an
     * error event, the upstream connection is closed, and the call is charged its reported usage,
     * or the full reservation when none was reported (the provider bills the cut call anyway).
     */
    @WithDefault("10m")
    Duration maxStreamDuration();

    /**
     * Most input tokens one image part can cost, per model ({@code kiku.api.image-tokens."gpt-4o-mini"=48169});
     * models not listed use {@link #defaultImageTokens()}.
     */
    Map<String, Integer> imageTokens();

    /**
     * A request without max_tokens whose balance cannot pay the model's maximum output is capped at what the
     * balance pays; one that cannot pay its input and this many output tokens (per choice, at least 1) gets 402.
     */
    @WithDefault("16")
    int minOutputTokens();

    /** Most input tokens one image part can cost on a model not in {@link #imageTokens()} (gpt-4o's worst case). */
    @WithDefault("1445")
    int defaultImageTokens();
}
