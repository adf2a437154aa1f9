package ai.kiku.api.http;

import ai.kiku.api.service.GatewayProblems;
import ai.kiku.common.contract.ProblemTypes;
import ai.kiku.common.error.Problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem as Anthropic words errors ({@code {"type":"error","error":{"type","message"}}}), for
 * {@code /v1/messages}: the official Anthropic SDKs read only that shape. Our own members (the
 * field at fault, amounts) stay readable beside {@code type} and {@code message}.
 */
public record AnthropicError(int status, Map<String, Object> body) {

    /** The route whose answers take this shape. */
    public static final String PATH = "/v1/messages";

    public static boolean appliesTo(String path) {
        return path != null && (path.equals(PATH) || path.startsWith(PATH + "/"));
    }

    public static AnthropicError of(Problem problem) {
        String kind = problem.getType() != null && problem.getType().startsWith(ProblemTypes.BASE)
                ? problem.getType().substring(ProblemTypes.BASE.length()) : "";
        int status = problem.getStatus();
        String type;
        if (kind.equals(GatewayProblems.MODEL_NOT_FOUND)) {
            status = 404;
            type = "not_found_error";
        } else {
            type = switch (status) {
                case 401 -> "authentication_error";
                case 402 -> "billing_error";
                case 403 -> "permission_error";
                case 404 -> "not_found_error";
                case 413 -> "request_too_large";
                case 429 -> "rate_limit_error";
                case 503, 529 -> "overloaded_error";
                default -> status >= 500 ? "api_error" : "invalid_request_error";
            };
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", type);
        String detail = problem.getDetail() != null ? problem.getDetail() : problem.getTitle();
        Object upstream = problem.getExtensions().get("upstreamMessage");
        error.put("message", upstream == null ? detail : detail + " (the provider said: " + upstream + ")");
        problem.getExtensions().forEach(error::putIfAbsent);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("error", error);
        return new AnthropicError(status, body);
    }
}
