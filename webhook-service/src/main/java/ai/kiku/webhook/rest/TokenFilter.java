package ai.kiku.webhook.rest;

import ai.kiku.common.error.ProblemException;
import ai.kiku.common.error.ProblemMappers;
import ai.kiku.webhook.config.KikuConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Bearer tokens: admin token for {@code /admin/v1/**}, service token for {@code /internal/v1/**}. */
public class TokenFilter {

    private final KikuConfig config;

    public TokenFilter(KikuConfig config) {
        this.config = config;
    }

    /** Decides by the matched resource class, not the raw path, so no path spelling slips past. */
    @ServerRequestFilter
    public Response authorize(ContainerRequestContext request, SimpleResourceInfo resource) {
        Class<?> target = resource == null ? null : resource.getResourceClass();
        Optional<String> expected;
        if (target == AdminWebhookResource.class) {
            expected = config.adminToken();
        } else if (target == CheckoutResource.class) {
            expected = config.internalToken();
        } else {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (expected.filter(t -> !t.isBlank()).isPresent() && header != null && header.startsWith("Bearer ")
                && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                expected.get().getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return ProblemMappers.respond(ProblemException.unauthorized("a valid bearer token is required").problem());
    }
}
