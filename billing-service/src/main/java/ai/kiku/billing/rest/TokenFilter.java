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
 * Guards {@code /admin/v1/**} with the operators' tokens (each named operator's own, and the shared one) and
 * {@code /internal/v1/**} with one token per calling service (api, bot, webhook), by the platform's one rule
 * ({@link ServiceTokenGuard}): an unknown token is 401, a known caller outside the endpoint's
 * {@link ai.kiku.common.auth.Callers} is 403. The operator an admin call was verified as is handed to the
 * resources in {@link AdminOperator}.
 */
@ApplicationScoped
public class TokenFilter {

    private static final Logger LOG = Logger.getLogger(TokenFilter.class);
    private final ServiceTokenGuard guard;
    private final boolean legacyTokenOnly;
    private final AdminOperator operator;

    /** @throws IllegalStateException on an unfit operator name or token (billing does not start; see the message) */
    public TokenFilter(AdminConfig adminConfig, InternalConfig internalConfig, AdminOperator operator) {
        InternalConfig.Tokens tokens = internalConfig.tokens();
        this.operator = operator;
        this.guard = new ServiceTokenGuard(adminConfig.token(), adminConfig.operators(), Map.of(InternalCaller.API,
                tokens.api(), InternalCaller.BOT, tokens.bot(), InternalCaller.WEBHOOK, tokens.webhook()));
        this.legacyTokenOnly = guard.unconfiguredCallers().size() == InternalCaller.values().length
                && internalConfig.token().filter(t -> !t.isBlank()).isPresent();
    }

    void onStart(@Observes StartupEvent event) {
        if (!guard.adminConfigured()) {
            LOG.warn("neither kiku.admin.token (KIKU_ADMIN_TOKEN) nor any kiku.admin.operators.<name> is set:"
                    + " every /admin/v1 call will be refused");
        } else {
            LOG.infof("admin operators with their own token: %s%s", guard.namedOperators(),
                    guard.sharedAdminTokenConfigured() ? "; the shared kiku.admin.token is recorded as "
                            + ServiceTokenGuard.SHARED_OPERATOR : "");
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
        Response refused = guard.check(request, resource);
        Object name = request.getProperty(ServiceTokenGuard.OPERATOR_PROPERTY);
        if (refused == null && name != null) {
            operator.verified(name.toString());
        }
        return refused;
    }
}
