package ai.kiku.billing.rest;

import ai.kiku.common.error.Problem;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a declared-oversized body with a 400 problem naming {@code body} before it is read
 * (Vert.x would otherwise answer a bare 413 that is not problem+json).
 */
@ApplicationScoped
public class BodyLimitFilter {

    private final long limit;
    private final ObjectMapper json;

    public BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
                           ObjectMapper json) {
        this.limit = limit.asLongValue();
        this.json = json;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared <= limit) {
                ctx.next();
                return;
            }
            Problem problem = new Problem("https://kiku.ai/problems/invalid-request", "Invalid request", 400,
                    "request body is larger than " + limit + " bytes").with("field", "body");
            try {
                ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close").end(json.writeValueAsString(problem));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        });
    }
}
