package ai.kiku.api.metering;

import ai.kiku.api.provider.ProxyEndpoint;
import ai.kiku.api.service.ApiMetrics;
import ai.kiku.api.service.ChatRequest;
import com.fasterxml.jackson.databind.JsonNode;
import org.jboss.logging.Logger;

/**
 * Turns token counts a provider reported into the counts charged: never more than the request
 * allows (input bound from the body, output bound from max_tokens x n). A count above its bound,
 * negative, fractional, not a number or missing is an upstream anomaly and is charged as its bound
 * (the most the provider can bill), so no reported value can overflow a cost, a usage record or
 * billing's rollups.
 */
final class UsageBounds {

    private static final Logger LOG = Logger.getLogger(UsageBounds.class);

    /** Tokens to charge for one call; {@code anomalous} when a reported count was replaced by its bound. */
    record Tokens(long in, long out, boolean anomalous) {
    }

    private UsageBounds() {
    }

    /** {@link #reported}, with an anomaly logged (WARN) and counted in kiku_upstream_usage_anomalies_total. */
    static Tokens charged(MeteredCall call, String provider, JsonNode usage, ApiMetrics metrics) {
        ChatRequest request = call.request();
        Tokens tokens = reported(request, usage);
        if (tokens.anomalous()) {
            metrics.usageAnomaly(provider);
            ProxyEndpoint endpoint = request.endpoint();
            String output = endpoint.outputField() == null ? "no output"
                    : endpoint.outputField() + "=" + shown(usage, endpoint.outputField());
            LOG.warnf("request %s: upstream usage anomaly from provider %s, model %s: reported %s=%s %s, "
                            + "bound %d/%d; charging %d/%d", call.requestId(), provider, request.model(),
                    endpoint.inputField(), shown(usage, endpoint.inputField()), output,
                    request.inputBound(), request.outputBound(), tokens.in(), tokens.out());
        }
        return tokens;
    }

    /**
     * The reported usage object of an answer or stream event, in the endpoint's field names, bounded by what
     * {@code request} allows. An endpoint without output (embeddings) is charged no output tokens.
     */
    static Tokens reported(ChatRequest request, JsonNode reported) {
        ProxyEndpoint endpoint = request.endpoint();
        JsonNode usage = endpoint.chargeable(reported);
        long in = count(usage.get(endpoint.inputField()), request.inputBound());
        long out = endpoint.outputField() == null ? 0
                : count(usage.get(endpoint.outputField()), request.outputBound());
        return new Tokens(in < 0 ? request.inputBound() : in, out < 0 ? request.outputBound() : out, in < 0 || out < 0);
    }

    /** No usage reported: the input estimate and the output seen, the latter capped at its bound. */
    static Tokens estimated(ChatRequest request, long outputSeen) {
        return new Tokens(request.inputEstimate(), Math.min(Math.max(0, outputSeen), request.outputBound()), false);
    }

    /** No usage known and the call cut short: the provider may bill the worst case, so that is charged. */
    static Tokens worstCase(ChatRequest request) {
        return new Tokens(request.inputBound(), request.outputBound(), false);
    }

    /** A whole number from 0 to {@code bound}, or -1 when the value is unusable or above the bound. */
    static long count(JsonNode value, long bound) {
        if (value == null || !value.isNumber()) {
            return -1;
        }
        long n;
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                return -1;
            }
            n = value.longValue();
        } else {
            double d = value.doubleValue();
            if (!(d >= 0 && d <= bound) || d != Math.rint(d)) {
                return -1;
            }
            n = (long) d;
        }
        return n < 0 || n > bound ? -1 : n;
    }

    /** A usage value as written, for a log line (bounded, a provider controls it). */
    private static String shown(JsonNode usage, String field) {
        JsonNode value = usage.get(field);
        String text = value == null ? "missing" : value.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
