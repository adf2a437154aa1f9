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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The platform's one rule for bearer tokens on a service's own endpoints, used by each service's request
 * filter: {@code /admin/**} takes the operators' token; {@code /internal/**} takes one token per calling
 * service (compared in constant time by {@link BearerToken}). A missing or unknown token is 401 with
 * {@code WWW-Authenticate}; a known caller outside the endpoint's {@link Callers} is 403. The decision
 * rests on the matched resource class's {@code @Path} and method, never on the raw path.
 *
 * <p>An admin call is made by a named operator: each may have a token of their own
 * ({@code kiku.admin.operators.<name>}); the shared {@code kiku.admin.token} is the operator
 * {@value #SHARED_OPERATOR}. The matched name is left on the request as {@value #OPERATOR_PROPERTY}.
 */
public final class ServiceTokenGuard {

    /** The operator name of the shared {@code kiku.admin.token}. */
    public static final String SHARED_OPERATOR = "admin-token";
    /** The request property holding the verified operator's name once an admin call is let through. */
    public static final String OPERATOR_PROPERTY = "kiku.admin.operator";
    /** The shortest operator token accepted: a named token must be a real secret, not a password. */
    public static final int MIN_OPERATOR_TOKEN_LENGTH = 32;
    private static final Pattern OPERATOR_NAME = Pattern.compile("[a-z0-9-]{1,64}");

    private final BearerToken admin;
    /** Operator name → token, the shared token included (under {@link #SHARED_OPERATOR}) when set. */
    private final Map<String, BearerToken> operators = new LinkedHashMap<>();
    private final Map<InternalCaller, BearerToken> callers = new EnumMap<>(InternalCaller.class);

    /** A guard whose only operator is the shared token ({@link #SHARED_OPERATOR}). */
    public ServiceTokenGuard(Optional<String> adminToken, Map<InternalCaller, Optional<String>> callerTokens) {
        this(adminToken, Map.of(), callerTokens);
    }

    /**
     * @param adminToken the shared operators' token, the operator {@value #SHARED_OPERATOR}; unset, only the
     *                   named operators may make admin calls
     * @param operatorTokens each named operator's own token ({@code kiku.admin.operators.<name>})
     * @param callerTokens the token each calling service presents; an unset one refuses that caller
     * @throws IllegalStateException when two callers are given the same token (either could act with the other's
     *         scope), or an operator's name or token is unfit: a name not of 1 to 64 lowercase letters, digits and
     *         '-', or {@value #SHARED_OPERATOR}; a token shorter than {@value #MIN_OPERATOR_TOKEN_LENGTH} characters
     *         or the same as another operator's, the shared one's or a service's
     */
    public ServiceTokenGuard(Optional<String> adminToken, Map<String, String> operatorTokens,
                             Map<InternalCaller, Optional<String>> callerTokens) {
        this.admin = BearerToken.of(adminToken);
        Map<String, String> tokenOwners = new HashMap<>(); // token → the setting that holds it
        adminToken.map(String::strip).filter(t -> !t.isEmpty()).ifPresent(t -> {
            tokenOwners.put(t, "kiku.admin.token");
            operators.put(SHARED_OPERATOR, admin);
        });
        for (Map.Entry<String, String> operator : new TreeMap<>(operatorTokens).entrySet()) {
            String name = operator.getKey();
            String setting = "kiku.admin.operators." + name;
            if (!OPERATOR_NAME.matcher(name).matches() || SHARED_OPERATOR.equals(name)) {
                throw new IllegalStateException(setting + ": an operator's name must be 1 to 64 lowercase letters,"
                        + " digits or '-', and not " + SHARED_OPERATOR + " (the shared kiku.admin.token's name)"
                        + (name.contains(".") ? "; in an environment variable '_' reads as '.', so"
                        + " KIKU_ADMIN_OPERATORS_<NAME> takes letters and digits only" : ""));
            }
            String token = operator.getValue() == null ? "" : operator.getValue().strip();
            if (token.length() < MIN_OPERATOR_TOKEN_LENGTH) {
                throw new IllegalStateException(setting + " (KIKU_ADMIN_OPERATORS_" + name.toUpperCase(Locale.ROOT)
                        .replace('-', '_') + ") must be at least " + MIN_OPERATOR_TOKEN_LENGTH
                        + " characters (e.g. openssl rand -hex 32)");
            }
            String other = tokenOwners.putIfAbsent(token, setting);
            if (other != null) {
                throw new IllegalStateException(other + " and " + setting
                        + " are the same token; give each operator their own");
            }
            operators.put(name, BearerToken.of(Optional.of(token)));
        }
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
                String operator = tokenOwners.get(t);
                if (operator != null && operator.startsWith("kiku.admin.operators.")) {
                    throw new IllegalStateException(operator + " and kiku.internal.tokens." + caller.configName()
                            + " are the same token; an operator's token must be theirs alone");
                }
            });
            if (callerTokens.containsKey(caller)) {
                callers.put(caller, BearerToken.of(token));
            }
        }
    }

    /** Whether any admin call can be let through (the shared token or a named operator's is set). */
    public boolean adminConfigured() {
        return !operators.isEmpty();
    }

    /** Whether the shared {@code kiku.admin.token} is set. */
    public boolean sharedAdminTokenConfigured() {
        return admin.configured();
    }

    /** The names of the operators with a token of their own ({@code kiku.admin.operators.*}). */
    public Set<String> namedOperators() {
        Set<String> names = new TreeSet<>(operators.keySet());
        names.remove(SHARED_OPERATOR);
        return names;
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
            String operator = operator(header);
            if (operator == null) {
                return refuse("admin", "invalid token");
            }
            request.setProperty(OPERATOR_PROPERTY, operator);
            return null;
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

    /** The operator whose token this is; every configured token is compared, so timing does not tell which. */
    private String operator(String header) {
        String found = null;
        for (Map.Entry<String, BearerToken> entry : operators.entrySet()) {
            if (entry.getValue().matchesAuthorization(header) && found == null) {
                found = entry.getKey();
            }
        }
        return found;
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
