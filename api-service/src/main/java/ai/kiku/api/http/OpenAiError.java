package ai.kiku.api.http;

import ai.kiku.api.service.GatewayProblems;
import ai.kiku.common.contract.ProblemTypes;
import ai.kiku.common.error.Problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem as OpenAI words errors ({@code {"error":{"message","type","param","code"}}}), for the
 * {@code /v1/*} routes: official SDKs read only that shape, and report a problem+json answer as an
 * error without a message. The one translation, so every call site keeps building plain problems.
 */
public record OpenAiError(int status, Map<String, Object> body) {

    /** The path prefix whose answers take this shape; everything else keeps problem+json. */
    public static final String PREFIX = "/v1/";

    public static boolean appliesTo(String path) {
        return path != null && (path.startsWith(PREFIX) || path.equals("/v1"));
    }

    public static OpenAiError of(Problem problem) {
        String kind = problem.getType() != null && problem.getType().startsWith(ProblemTypes.BASE)
                ? problem.getType().substring(ProblemTypes.BASE.length()) : "";
        int status = problem.getStatus();
        String type;
        String code;
        if (kind.equals(GatewayProblems.MODEL_NOT_FOUND)) {
            // OpenAI answers an unknown model with 404, where our own shape keeps its 400
            status = 404;
            type = "invalid_request_error";
            code = "model_not_found";
        } else if (status == 401) {
            type = "invalid_request_error";
            code = "invalid_api_key";
        } else if (status == 402) {
            type = "insufficient_quota";
            code = "insufficient_quota";
        } else if (status == 429) {
            type = "requests";
            code = "rate_limit_exceeded";
        } else if (status >= 500) {
            type = "server_error";
            code = specific(kind);
        } else {
            type = "invalid_request_error";
            code = specific(kind);
        }
        Object param = problem.getExtensions().get("field");
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message(problem));
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        // our extension members (requiredMicros, availableMicros, upstreamStatus...) stay readable beside them
        problem.getExtensions().forEach((name, value) -> {
            if (!name.equals("field")) {
                error.putIfAbsent(name, value);
            }
        });
        return new OpenAiError(status, Map.of("error", error));
    }

    /** The problem's own name as a code, except for the generic ones, which OpenAI leaves null. */
    private static String specific(String kind) {
        if (kind.isEmpty() || kind.equals("invalid-request") || kind.equals("internal") || kind.equals("not-found")
                || kind.startsWith("http-")) {
            return null;
        }
        return kind.replace('-', '_');
    }

    private static String message(Problem problem) {
        String detail = problem.getDetail() != null ? problem.getDetail() : problem.getTitle();
        Object upstream = problem.getExtensions().get("upstreamMessage");
        return upstream == null ? detail : detail + " (the provider said: " + upstream + ")";
    }
}
