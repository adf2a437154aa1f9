package ai.kiku.api.service;

import ai.kiku.api.client.BillingClient;
import ai.kiku.api.config.ApiConfig;
import ai.kiku.common.error.ProblemException;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Usage summaries from billing (which owns the usage tables), cached in two levels: this process
 * (Caffeine, {@code kiku.api.usage-l1-ttl}) and Redis shared by all instances
 * ({@code kiku:cache:usage:...}, {@code kiku.api.usage-l2-ttl}, at most a minute).
 */
@ApplicationScoped
public class UsageService {

    static final String L2_PREFIX = "kiku:cache:usage:";
    private static final Logger LOG = Logger.getLogger(UsageService.class);

    private final BillingClient billing;
    private final Redis redis;
    private final ApiConfig config;
    private final Cache<String, String> local;

    public UsageService(@RestClient BillingClient billing, Redis redis, ApiConfig config) {
        this.billing = billing;
        this.redis = redis;
        this.config = config;
        this.local = Caffeine.newBuilder().expireAfterWrite(config.usageL1Ttl()).maximumSize(config.usageCacheSize())
                .build();
    }

    public int maxDays() {
        return config.usageMaxDays();
    }

    /** Usage JSON of an account for a window, as billing reports it. */
    public Uni<String> summary(long accountId, UsageQuery query) {
        String key = L2_PREFIX + accountId + ':' + query.cacheKey();
        String cached = local.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return redis.send(Request.cmd(Command.GET).arg(key))
                .onFailure().recoverWithNull()
                .flatMap(hit -> {
                    if (hit != null) {
                        String json = hit.toString();
                        local.put(key, json);
                        return Uni.createFrom().item(json);
                    }
                    return fromBilling(accountId, query).call(json -> {
                        local.put(key, json);
                        return redis.send(Request.cmd(Command.SET).arg(key).arg(json).arg("EX")
                                        .arg(Math.max(1, config.usageL2Ttl().toSeconds())))
                                .onFailure().recoverWithNull();
                    });
                });
    }

    private Uni<String> fromBilling(long accountId, UsageQuery query) {
        return billing.usage(accountId, query.from().toString(), query.to().toString(), query.groupBy())
                .onFailure().transform(e -> {
                    if (e instanceof WebApplicationException web && web.getResponse().getStatus() == 404) {
                        return ProblemException.notFound("account");
                    }
                    LOG.warnf("usage from billing failed: %s", e.toString());
                    return ProblemException.unavailable("usage is temporarily unavailable; try again shortly");
                });
    }
}
