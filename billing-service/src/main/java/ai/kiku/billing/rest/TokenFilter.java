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
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;


/**
 * Guards {@code /admin/v1/**} with the operators' token and {@code /internal/v1/**} with one token per
 * calling service (all compared in constant time by {@link BearerToken}): an unknown token is 401, a known
 * caller outside the endpoint's {@link Callers} is 403.
 */
@ApplicationScoped
public class TokenFilter {

    private static final Logger LOG = Logger.getLogger(TokenFilter.class);
    private final BearerToken admin;
    private final Map<InternalCaller, BearerToken> callers = new EnumMap<>(InternalCaller.class);
    private final boolean legacyTokenOnly;

    public TokenFilter(AdminConfig adminConfig, InternalConfig internalConfig) {
        this.admin = BearerToken.of(adminConfig.token());
        Map<String, InternalCaller> seen = new HashMap<>();
        for (InternalCaller caller : InternalCaller.values()) {
            Optional<String> token = caller.token(internalConfig.tokens()).map(String::strip).filter(t -> !t.isEmpty());
            token.ifPresent(t -> {
                InternalCaller other = seen.putIfAbsent(t, caller);
                if (other != null) {
                    // one token for two callers would let either act with the other's scope
                    throw new IllegalStateException("kiku.internal.tokens." + other.configName() + " and kiku.internal.tokens."
                            + caller.configName() + " are the same token; give each service its own");
                }
            });
            callers.put(caller, BearerToken.of(token));
        }
        this.legacyTokenOnly = seen.isEmpty() && internalConfig.token().filter(t -> !t.isBlank()).isPresent();
    }

    void onStart(@Observes StartupEvent event) {
        if (!admin.configured()) {
            LOG.warn("kiku.admin.token (KIKU_ADMIN_TOKEN) is not set: every /admin/v1 call will be refused");
        }
        if (legacyTokenOnly) {
            LOG.error("kiku.internal.token is set but billing no longer accepts one shared token: set"
                    + " kiku.internal.tokens.api, .bot and .webhook (KIKU_INTERNAL_TOKENS_API, ...) to the token each"
                    + " service sends; until then every /internal/v1 call is refused");
        }
        callers.forEach((caller, token) -> {
            if (!token.configured()) {
                LOG.warnf("kiku.internal.tokens.%s is not set: %s-service's internal calls will be refused",
                        caller.configName(), caller.configName());
            }
        });
    }

    /** Runs after matching, so the decision rests on the resource class and method that would serve the call. */
    @ServerRequestFilter
    public Response check(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> target = resource == null ? null : resource.getResourceClass();
        Path annotation = target == null ? null : target.getAnnotation(Path.class);
        String path = annotation == null ? "" : "/" + annotation.value().replaceAll("^/+", "");
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (path.startsWith("/admin/")) {
            if (BearerToken.credentials(header) == null) {
                return refuse("admin", "missing or malformed bearer token");
            }
            return admin.matchesAuthorization(header) ? null : refuse("admin", "invalid token");
        }
        if (!path.startsWith("/internal/")) {
            return null;
        }
        if (BearerToken.credentials(header) == null) {
            return refuse("internal", "missing or malformed bearer token");
        }
        InternalCaller caller = caller(header);
        if (caller == null) {
            return refuse("internal", "invalid token");
        }
        Method method = resource.getResourceMethod();
        Callers allowed = method == null ? null : method.getAnnotation(Callers.class);
        if (allowed != null && Arrays.asList(allowed.value()).contains(caller)) {
            return null;
        }
        return ProblemMappers.respond(new Problem("https://kiku.ai/problems/forbidden", "Forbidden", 403,
                "the " + caller.configName() + "-service token may not call " + request.getMethod() + " "
                        + request.getUriInfo().getPath()));
    }

    /** The caller whose token this is; every configured token is compared, so timing does not tell which. */
    private InternalCaller caller(String header) {
        InternalCaller found = null;
        for (Map.Entry<InternalCaller, BearerToken> entry : callers.entrySet()) {
            if (entry.getValue().matchesAuthorization(header)) {
                found = entry.getKey();
            }
        }
        return found;
    }

    private static Response refuse(String realm, String detail) {
        Response problem = ProblemMappers.respond(new Problem("https://kiku.ai/problems/unauthorized", "Unauthorized",
                401, detail + " for /" + realm + " endpoints"));
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"")
                .build();
    }
}
