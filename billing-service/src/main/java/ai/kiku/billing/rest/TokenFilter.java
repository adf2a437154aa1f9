package ai.kiku.billing.rest;

import ai.kiku.billing.config.AdminConfig;
import ai.kiku.billing.config.InternalConfig;
import ai.kiku.common.auth.BearerToken;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemMappers;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;


/**
 * Guards {@code /admin/v1/**} with the operators' token and {@code /internal/v1/**} with the service
 * token (compared in constant time by {@link BearerToken}).
 */
@ApplicationScoped
public class TokenFilter {

    private static final Logger LOG = Logger.getLogger(TokenFilter.class);
    private final BearerToken admin;
    private final BearerToken internal;

    public TokenFilter(AdminConfig adminConfig, InternalConfig internalConfig) {
        this.admin = BearerToken.of(adminConfig.token());
        this.internal = BearerToken.of(internalConfig.token());
    }

    void onStart(@Observes StartupEvent event) {
        if (!admin.configured()) {
            LOG.warn("kiku.admin.token (KIKU_ADMIN_TOKEN) is not set: every /admin/v1 call will be refused");
        }
        if (!internal.configured()) {
            LOG.warn("kiku.internal.token (KIKU_INTERNAL_TOKEN) is not set: every /internal/v1 call will be refused");
        }
    }

    /** Runs after matching, so the decision rests on the resource class that would serve the call. */
    @ServerRequestFilter
    public Response check(ContainerRequestContext request, SimpleResourceInfo resource) {
        Path annotation = resource == null || resource.getResourceClass() == null ? null
                : resource.getResourceClass().getAnnotation(Path.class);
        String path = annotation == null ? "" : "/" + annotation.value().replaceAll("^/+", "");
        BearerToken expected;
        String realm;
        if (path.startsWith("/admin/")) {
            expected = admin;
            realm = "admin";
        } else if (path.startsWith("/internal/")) {
            expected = internal;
            realm = "internal";
        } else {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (BearerToken.credentials(header) == null) {
            return refuse(realm, "missing or malformed bearer token");
        }
        return expected.matchesAuthorization(header) ? null : refuse(realm, "invalid token");
    }

    private static Response refuse(String realm, String detail) {
        Response problem = ProblemMappers.respond(new Problem("https://kiku.ai/problems/unauthorized", "Unauthorized",
                401, detail + " for /" + realm + " endpoints"));
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"")
                .build();
    }
}
