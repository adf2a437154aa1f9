package ai.kiku.billing.rest;

import ai.kiku.common.error.ProblemMappers;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus ships a mapper for {@link MismatchedInputException} (wrong type, unknown field) that is
 * more specific than common's {@code JsonProcessingException} mapper and answers plain JSON; this
 * one takes precedence so those errors are problem+json naming the field too.
 */
public class JsonInputMapper {

    private final ProblemMappers problems = new ProblemMappers();

    @ServerExceptionMapper(priority = 1)
    public Response mismatched(MismatchedInputException e) {
        return problems.json(e);
    }
}
