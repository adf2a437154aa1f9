package ai.kiku.webhook.rest;

import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.error.ProblemMappers;
import ai.kiku.webhook.config.KikuConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;


/**
 * Bearer tokens: admin token for {@code /admin/v1/**}; {@code /internal/v1/**} (checkouts) takes only
 * bot-service's token ({@code kiku.internal.tokens.bot}), not this service's own nor any other caller's.
 */
public class TokenFilter {

    private final BearerToken admin;
    private final BearerToken internal;

    public TokenFilter(KikuConfig config) {
        this.admin = BearerToken.of(config.adminToken());
        this.internal = BearerToken.of(config.botToken());
    }

    /** Decides by the matched resource class, not the raw path, so no path spelling slips past. */
    @ServerRequestFilter
    public Response authorize(ContainerRequestContext request, SimpleResourceInfo resource) {
        Class<?> target = resource == null ? null : resource.getResourceClass();
        BearerToken expected;
        if (target == AdminWebhookResource.class) {
            expected = admin;
        } else if (target == CheckoutResource.class) {
            expected = internal;
        } else {
            return null;
        }
        if (expected.matchesAuthorization(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            return null;
        }
        return ProblemMappers.respond(ProblemException.unauthorized("a valid bearer token is required").problem());
    }
}
