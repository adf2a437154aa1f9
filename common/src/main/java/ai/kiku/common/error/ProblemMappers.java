package ai.kiku.common.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;


/**
 * Turns every failure of a request into an RFC 9457 problem+json answer, so that bad input always
 * gets a 4xx naming the problem and nothing leaks a stack trace.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.problem());
    }

    /** Malformed JSON, a repeated field or a value of the wrong type: 400 naming the field when there is one. */
    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e) {
        return respond(JsonProblems.of(e));
    }

    /**
     * Quarkus ships its own mapper for this subtype (wrong type, unknown field) answering plain
     * JSON; naming the subtype here makes ours the more specific match.
     */
    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    /**
     * Jackson could not bind the body to our class at all. Quarkus's own mapper answers this with a
     * bare 500 (a repeated field of a record once did; {@link StrictJsonSyntax} now refuses those
     * earlier): still our fault, but answered as a problem and logged.
     */
    @ServerExceptionMapper(priority = 1)
    public Response definition(InvalidDefinitionException e) {
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return json(json);
        }
        if (cause instanceof ProblemException problem) {
            return problem(problem);
        }
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "cannot produce the requested media type";
            case 413 -> "request body too large";
            case 415 -> "unsupported content type; send application/json";
            default -> title;
        };
        if (status >= 500) {
            LOG.errorf(e, "request failed with %d", status);
        }
        return respond(new Problem("https://kiku.ai/problems/http-" + status, title, status, detail));
    }

    /** Last resort: a fault of ours, logged with its stack trace, answered without one. */
    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        if (e instanceof ProblemException p) {
            return problem(p);
        }
        if (isUnparsableMediaType(e)) {
            return respond(new Problem("https://kiku.ai/problems/invalid-request", "Invalid request", 400,
                    "a media type header (Content-Type or Accept) cannot be parsed").with("field", "Content-Type"));
        }
        LOG.error("unexpected failure", e);
        return respond(new Problem("https://kiku.ai/problems/internal", "Internal error", 500,
                "the request could not be completed; it changed nothing that was not already committed"));
    }

    /**
     * RESTEasy Reactive throws a bare IllegalArgumentException when it must parse a media type the
     * client sent (an empty or malformed Content-Type, on a path served by several media types): the
     * client's input, not our fault, so a 400 rather than the last resort's 500.
     */
    static boolean isUnparsableMediaType(Throwable e) {
        if (!(e instanceof IllegalArgumentException)) {
            return false;
        }
        StackTraceElement[] frames = e.getStackTrace();
        return frames.length > 0 && frames[0].getClassName().startsWith("org.jboss.resteasy.reactive.common.headers.");
    }

    public static Response respond(Problem problem) {
        Response.ResponseBuilder response = Response.status(problem.getStatus()).type(Problem.MEDIA_TYPE).entity(problem);
        if (problem.getStatus() == 503) {
            // a backing service is down for now: say when to come back, as every 503 of the platform does
            response.header("Retry-After", Problem.RETRY_AFTER_SECONDS);
        }
        return response.build();
    }
}
