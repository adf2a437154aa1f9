package ai.kiku.billing.rest;

import ai.kiku.billing.config.AdminConfig;
import ai.kiku.billing.config.InternalConfig;
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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Guards {@code /admin/v1/**} with the operators' token and {@code /internal/v1/**} with the service
 * token. Both are compared as SHA-256 digests with {@link MessageDigest#isEqual}: constant time, and
 * no length leak.
 */
@ApplicationScoped
public class TokenFilter {

    private static final Logger LOG = Logger.getLogger(TokenFilter.class);
    private static final String BEARER = "Bearer ";

    private final byte[] admin;
    private final byte[] internal;

    public TokenFilter(AdminConfig adminConfig, InternalConfig internalConfig) {
        this.admin = digest(adminConfig.token());
        this.internal = digest(internalConfig.token());
    }

    void onStart(@Observes StartupEvent event) {
        if (admin == null) {
            LOG.warn("kiku.admin.token (KIKU_ADMIN_TOKEN) is not set: every /admin/v1 call will be refused");
        }
        if (internal == null) {
            LOG.warn("kiku.internal.token (KIKU_INTERNAL_TOKEN) is not set: every /internal/v1 call will be refused");
        }
    }

    /** Runs after matching, so the decision rests on the resource class that would serve the call. */
    @ServerRequestFilter
    public Response check(ContainerRequestContext request, SimpleResourceInfo resource) {
        Path annotation = resource == null || resource.getResourceClass() == null ? null
                : resource.getResourceClass().getAnnotation(Path.class);
        String path = annotation == null ? "" : "/" + annotation.value().replaceAll("^/+", "");
        byte[] expected;
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
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return refuse(realm, "missing bearer token");
        }
        byte[] presented = digest(Optional.of(header.substring(BEARER.length()).strip()));
        if (expected == null || !MessageDigest.isEqual(expected, presented)) {
            return refuse(realm, "invalid token");
        }
        return null;
    }

    private static Response refuse(String realm, String detail) {
        Response problem = ProblemMappers.respond(new Problem("https://kiku.ai/problems/unauthorized", "Unauthorized",
                401, detail + " for /" + realm + " endpoints"));
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"")
                .build();
    }

    private static byte[] digest(Optional<String> token) {
        if (token.isEmpty() || token.get().isBlank()) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.get().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
