package ai.kiku.billing.service;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.billing.config.CatalogueConfig;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.billing.repository.CatalogueRepository;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * The price catalogue, cached in-process and published as JSON at Redis key {@code kiku:catalogue}
 * so that the api-service can price requests without calling billing on its hot path.
 */
@ApplicationScoped
public class CatalogueService {

    /** Redis key of the published catalogue (belongs in KeySchema). */
    public static final String REDIS_KEY = KeySchema.CATALOGUE;

    private static final Logger LOG = Logger.getLogger(CatalogueService.class);

    private record Cached(Catalogue catalogue, long loadedAtNanos) {
    }

    private final CatalogueRepository repository;
    private final Redis redis;
    private final ObjectMapper json;
    private final CatalogueConfig config;
    private volatile Cached cached;

    public CatalogueService(CatalogueRepository repository, Redis redis, ObjectMapper json, CatalogueConfig config) {
        this.repository = repository;
        this.redis = redis;
        this.json = json;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            refresh(true).await().atMost(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            // Not fatal: the catalogue is loaded again on first use, and readiness shows the stores' state.
            LOG.error("could not load and publish the catalogue at start", e);
        }
    }

    public Uni<Catalogue> get() {
        Cached c = cached;
        if (c != null && System.nanoTime() - c.loadedAtNanos() < config.cacheTtl().toNanos()) {
            return Uni.createFrom().item(c.catalogue());
        }
        return refresh();
    }

    /** Re-reads the catalogue from PostgreSQL and republishes it to Redis when it changed. */
    public Uni<Catalogue> refresh() {
        return refresh(false);
    }

    /** Re-reads the catalogue; with {@code force} republishes it even when unchanged (Redis may have lost it). */
    public Uni<Catalogue> refresh(boolean force) {
        return repository.load().flatMap(catalogue -> {
            boolean changed = force || cached == null || !cached.catalogue().equals(catalogue);
            cached = new Cached(catalogue, System.nanoTime());
            return changed ? publish(catalogue).replaceWith(catalogue) : Uni.createFrom().item(catalogue);
        });
    }

    private Uni<Void> publish(Catalogue catalogue) {
        String body;
        try {
            body = json.writeValueAsString(catalogue);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return redis.send(Request.cmd(Command.SET).arg(REDIS_KEY).arg(body)).replaceWithVoid();
    }
}
