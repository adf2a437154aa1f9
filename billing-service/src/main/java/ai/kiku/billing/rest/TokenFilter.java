package ai.kiku.billing.rest;

import ai.kiku.billing.config.AdminConfig;
import ai.kiku.billing.config.InternalConfig;
import ai.kiku.common.auth.InternalCaller;
import ai.kiku.common.auth.ServiceTokenGuard;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;


/**
 * Guards {@code /admin/v1/**} with the operators' token and {@code /internal/v1/**} with one token per
 * calling service (api, bot, webhook), by the platform's one rule ({@link ServiceTokenGuard}): an unknown
 * token is 401, a known caller outside the endpoint's {@link ai.kiku.common.auth.Callers} is 403.
 */
@ApplicationScoped
public class TokenFilter {

    private static final Logger LOG = Logger.getLogger(TokenFilter.class);
    private final ServiceTokenGuard guard;
    private final boolean legacyTokenOnly;

    public TokenFilter(AdminConfig adminConfig, InternalConfig internalConfig) {
        InternalConfig.Tokens tokens = internalConfig.tokens();
        this.guard = new ServiceTokenGuard(adminConfig.token(), Map.of(InternalCaller.API, tokens.api(),
                InternalCaller.BOT, tokens.bot(), InternalCaller.WEBHOOK, tokens.webhook()));
        this.legacyTokenOnly = guard.unconfiguredCallers().size() == InternalCaller.values().length
                && internalConfig.token().filter(t -> !t.isBlank()).isPresent();
    }

    void onStart(@Observes StartupEvent event) {
        if (!guard.adminConfigured()) {
            LOG.warn("kiku.admin.token (KIKU_ADMIN_TOKEN) is not set: every /admin/v1 call will be refused");
        }
        if (legacyTokenOnly) {
            LOG.error("kiku.internal.token is set but billing no longer accepts one shared token: set"
                    + " kiku.internal.tokens.api, .bot and .webhook (KIKU_INTERNAL_TOKENS_API, ...) to the token each"
                    + " service sends; until then every /internal/v1 call is refused");
        }
        for (InternalCaller caller : guard.unconfiguredCallers()) {
            LOG.warnf("kiku.internal.tokens.%s is not set: %s-service's internal calls will be refused",
                    caller.configName(), caller.configName());
        }
    }

    /** Runs after matching, so the decision rests on the resource class and method that would serve the call. */
    @ServerRequestFilter
    public Response check(ContainerRequestContext request, ResourceInfo resource) {
        return guard.check(request, resource);
    }
}
