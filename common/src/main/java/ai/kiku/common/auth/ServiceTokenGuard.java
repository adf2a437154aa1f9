package ai.kiku.common.auth;

import ai.kiku.common.contract.ProblemTypes;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemMappers;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The platform's one rule for bearer tokens on a service's own endpoints, used by each service's request
 * filter: {@code /admin/**} takes the operators' token; {@code /internal/**} takes one token per calling
 * service (compared in constant time by {@link BearerToken}). A missing or unknown token is 401 with
 * {@code WWW-Authenticate}; a known caller outside the endpoint's {@link Callers} is 403. The decision
 * rests on the matched resource class's {@code @Path} and method, never on the raw path.
 */
public final class ServiceTokenGuard {

    private final BearerToken admin;
    private final Map<InternalCaller, BearerToken> callers = new EnumMap<>(InternalCaller.class);

    /**
     * @param adminToken the operators' token; unset refuses every admin call
     * @param callerTokens the token each calling service presents; an unset one refuses that caller
     * @throws IllegalStateException when two callers are given the same token (either could act with the other's scope)
     */
    public ServiceTokenGuard(Optional<String> adminToken, Map<InternalCaller, Optional<String>> callerTokens) {
        this.admin = BearerToken.of(adminToken);
        Map<String, InternalCaller> seen = new HashMap<>();
        for (InternalCaller caller : InternalCaller.values()) {
            Optional<String> token = callerTokens.getOrDefault(caller, Optional.empty()).map(String::strip)
                    .filter(t -> !t.isEmpty());
            token.ifPresent(t -> {
                InternalCaller other = seen.putIfAbsent(t, caller);
                if (other != null) {
                    throw new IllegalStateException("kiku.internal.tokens." + other.configName()
                            + " and kiku.internal.tokens." + caller.configName()
                            + " are the same token; give each service its own");
                }
            });
            if (callerTokens.containsKey(caller)) {
                callers.put(caller, BearerToken.of(token));
            }
        }
    }

    public boolean adminConfigured() {
        return admin.configured();
    }

    /** The callers this service serves whose token is not set (their calls are refused). */
    public Set<InternalCaller> unconfiguredCallers() {
        Set<InternalCaller> missing = EnumSet.noneOf(InternalCaller.class);
        callers.forEach((caller, token) -> {
            if (!token.configured()) {
                missing.add(caller);
            }
        });
        return missing;
    }

    /** Null to let the call through, else the 401 or 403 problem answer. */
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
        return ProblemMappers.respond(new Problem(ProblemTypes.FORBIDDEN, "Forbidden", 403,
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
        Response problem = ProblemMappers.respond(new Problem(ProblemTypes.UNAUTHORIZED, "Unauthorized", 401,
                detail + " for /" + realm + " endpoints"));
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"")
                .build();
    }
}
