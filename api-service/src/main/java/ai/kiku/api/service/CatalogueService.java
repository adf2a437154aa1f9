package ai.kiku.api.service;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.api.client.BillingClient;
import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.error.ProblemException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The price catalogue on the proxy's hot path, kept in memory. Billing writes it to Redis
 * ({@code kiku:catalogue}, the shared L2); this process re-reads it when its copy is older than
 * {@code kiku.api.catalogue-ttl} (stale-while-revalidate, so no request waits for it), and falls
 * back to billing's internal API when Redis has none. A copy older than twice the TTL (no request came to
 * refresh it in between) is re-read before it prices anything, so that an operator's price change reaches every
 * new reservation within {@code 2 × kiku.api.catalogue-ttl} (a minute by default); it is used only when the
 * re-read fails.
 */
@ApplicationScoped
public class CatalogueService {

    /** Where billing publishes the catalogue JSON. */
    public static final String REDIS_KEY = KeySchema.CATALOGUE;
    private static final Logger LOG = Logger.getLogger(CatalogueService.class);

    private final Redis redis;
    private final BillingClient billing;
    private final ObjectMapper mapper;
    private final long ttlMillis;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile PriceList current;
    private volatile Uni<PriceList> firstLoad;
    private volatile Uni<PriceList> reloading;

    public CatalogueService(Redis redis, @RestClient BillingClient billing, ObjectMapper mapper, ApiConfig config) {
        this.redis = redis;
        this.billing = billing;
        this.mapper = mapper;
        this.ttlMillis = config.catalogueTtl().toMillis();
    }

    /** The catalogue; only the very first call (or one after {@link #invalidate()}) waits for a load. */
    public Uni<PriceList> get() {
        PriceList snapshot = current;
        if (snapshot == null) {
            Uni<PriceList> loading = firstLoad;
            if (loading == null) {
                loading = load().memoize().indefinitely();
                firstLoad = loading;
            }
            return loading.onFailure().invoke(() -> firstLoad = null);
        }
        long age = System.currentTimeMillis() - snapshot.loadedAtMillis();
        if (age > 2 * ttlMillis) {
            return reload(snapshot);
        }
        if (age > ttlMillis && refreshing.compareAndSet(false, true)) {
            load().onTermination().invoke(() -> refreshing.set(false))
                    .subscribe().with(c -> { }, e -> LOG.warnf("catalogue refresh failed: %s", e.toString()));
        }
        return Uni.createFrom().item(snapshot);
    }

    /**
     * One re-read that the callers meanwhile share. When it fails the stale copy serves on, and is then taken for
     * TTL-old, so that only the background refresh retries it (a Redis outage must not put a billing call, or
     * its timeout, on every request).
     */
    private Uni<PriceList> reload(PriceList stale) {
        Uni<PriceList> running = reloading;
        if (running == null) {
            running = load().onFailure().recoverWithItem(() -> {
                PriceList kept = new PriceList(stale.json(), stale.models(), System.currentTimeMillis() - ttlMillis);
                current = kept;
                return kept;
            }).onTermination().invoke(() -> reloading = null).memoize().indefinitely();
            reloading = running;
        }
        return running;
    }

    /** Forgets the in-memory copy, so the next call reads the catalogue again. */
    public void invalidate() {
        current = null;
        firstLoad = null;
    }

    private Uni<PriceList> load() {
        return redis.send(Request.cmd(Command.GET).arg(REDIS_KEY))
                .onFailure().recoverWithNull()
                .flatMap(r -> r != null ? Uni.createFrom().item(r.toString()) : billing.catalogue())
                .map(json -> {
                    try {
                        PriceList parsed = PriceList.parse(mapper, json, System.currentTimeMillis());
                        current = parsed;
                        return parsed;
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException("catalogue is not valid JSON", e);
                    }
                })
                .onFailure(e -> !(e instanceof ProblemException))
                .transform(e -> {
                    LOG.warnf("price catalogue unavailable: %s", e.toString());
                    return ProblemException.unavailable("the price catalogue is not available; try again shortly");
                });
    }
}
