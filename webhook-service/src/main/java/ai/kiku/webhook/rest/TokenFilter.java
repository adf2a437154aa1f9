package ai.kiku.webhook.rest;

import ai.kiku.common.auth.InternalCaller;
import ai.kiku.common.auth.ServiceTokenGuard;
import ai.kiku.webhook.config.KikuConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;


/**
 * Bearer tokens by the platform's one rule ({@link ServiceTokenGuard}): the operators' token for
 * {@code /admin/v1/**}; {@code /internal/v1/**} (checkouts) knows one caller, bot-service
 * ({@code kiku.internal.tokens.bot}), so this service's own token and any other caller's are refused (401).
 */
public class TokenFilter {

    private final ServiceTokenGuard guard;

    public TokenFilter(KikuConfig config) {
        this.guard = new ServiceTokenGuard(config.adminToken(), Map.of(InternalCaller.BOT, config.botToken()));
    }

    /** Decides by the matched resource class and method, not the raw path, so no path spelling slips past. */
    @ServerRequestFilter
    public Response authorize(ContainerRequestContext request, ResourceInfo resource) {
        return guard.check(request, resource);
    }
}
