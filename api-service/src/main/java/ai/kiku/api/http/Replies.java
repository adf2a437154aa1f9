package ai.kiku.api.http;

import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Writes JSON and error answers on Vert.x routes (the REST exception mappers do not apply here). An
 * error is built as an RFC 9457 problem everywhere; the path decides here, once, how it is written:
 * problem+json, OpenAI's error shape on {@code /v1/*} ({@link OpenAiError}), or Anthropic's on
 * {@code /v1/messages} ({@link AnthropicError}).
 */
@ApplicationScoped
public class Replies {

    private static final Logger LOG = Logger.getLogger(Replies.class);
    public static final String JSON = "application/json";

    private final ObjectMapper mapper;

    public Replies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void json(RoutingContext ctx, int status, Object body) {
        try {
            send(ctx, status, JSON, Buffer.buffer(mapper.writeValueAsBytes(body)));
        } catch (JsonProcessingException e) {
            failure(ctx, e);
        }
    }

    public void raw(RoutingContext ctx, int status, String contentType, Buffer body) {
        send(ctx, status, contentType, body);
    }

    /** An error answer: problem+json, OpenAI's shape on {@code /v1/*}, Anthropic's on {@code /v1/messages}. */
    public void problem(RoutingContext ctx, Problem problem) {
        if (problem.getStatus() == 503 && !ctx.response().headWritten()
                && ctx.response().headers().get("Retry-After") == null) {
            ctx.response().putHeader("Retry-After", Problem.RETRY_AFTER_SECONDS);
        }
        try {
            if (AnthropicError.appliesTo(ctx.normalizedPath())) {
                AnthropicError error = AnthropicError.of(problem);
                send(ctx, error.status(), JSON, Buffer.buffer(mapper.writeValueAsBytes(error.body())));
            } else if (OpenAiError.appliesTo(ctx.normalizedPath())) {
                OpenAiError error = OpenAiError.of(problem);
                send(ctx, error.status(), JSON, Buffer.buffer(mapper.writeValueAsBytes(error.body())));
            } else {
                send(ctx, problem.getStatus(), Problem.MEDIA_TYPE, Buffer.buffer(mapper.writeValueAsBytes(problem)));
            }
        } catch (JsonProcessingException e) {
            send(ctx, 500, Problem.MEDIA_TYPE, Buffer.buffer("{\"status\":500,\"title\":\"Internal error\"}"));
        }
    }

    /**
     * Any failure as a problem: ours (ProblemException) as they are, infrastructure trouble (Redis,
     * billing unreachable) as 503, anything else as a logged 500.
     */
    public void failure(RoutingContext ctx, Throwable failure) {
        if (failure instanceof ProblemException p) {
            problem(ctx, p.problem());
            return;
        }
        if (isUnreadableBody(failure)) {
            problem(ctx, new Problem("https://kiku.ai/problems/invalid-request", "Invalid request", 400,
                    "the request body could not be read").with("field", "body"));
            return;
        }
        if (isInfrastructure(failure)) {
            LOG.warnf("request %s failed on infrastructure: %s", ctx.get(ApiRouter.REQUEST_ID), failure.toString());
            problem(ctx, ProblemException.unavailable("a backing service is unavailable; try again shortly").problem());
            return;
        }
        LOG.errorf(failure, "request %s failed unexpectedly", (Object) ctx.get(ApiRouter.REQUEST_ID));
        problem(ctx, new Problem("https://kiku.ai/problems/internal", "Internal error", 500,
                "the request could not be completed"));
    }

    /** A form the server itself failed to decode (too long a field, too many fields): the client's fault. */
    static boolean isUnreadableBody(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("io.netty.handler.codec.http.multipart.")) {
                return true;
            }
        }
        return false;
    }

    static boolean isInfrastructure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            if (t instanceof IOException || t instanceof ConnectException || t instanceof TimeoutException
                    || name.startsWith("io.vertx.redis") || name.contains("Redis") || name.startsWith("io.netty")
                    || name.contains("Timeout") || name.contains("ConnectionPool")
                    || name.startsWith("jakarta.ws.rs") || name.contains("ProcessingException")) {
                return true;
            }
        }
        return false;
    }

    private static void send(RoutingContext ctx, int status, String contentType, Buffer body) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        if (response.headWritten()) {
            response.end();
            return;
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
    }
}
