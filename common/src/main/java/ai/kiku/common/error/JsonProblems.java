package ai.kiku.common.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one translation of a JSON reading failure into a 400 problem, shared by the REST mappers and
 * the gateway's own Vert.x routes, so a body is refused alike by every service.
 */
public final class JsonProblems {

    private static final String TYPE = "https://kiku.ai/problems/invalid-request";
    /** Jackson's wording when {@code STRICT_DUPLICATE_DETECTION} finds a repeated field. */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*)'$", Pattern.DOTALL);

    private JsonProblems() {
    }

    /** 400: a duplicate field or a field of the wrong type named in {@code field}; otherwise field {@code body}. */
    public static Problem of(JsonProcessingException e) {
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.matches()) {
            String field = duplicate.group(1);
            return new Problem(TYPE, "Invalid request", 400, "field '" + field + "' appears more than once")
                    .with("field", field);
        }
        String field = null;
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        if (field == null) {
            return new Problem(TYPE, "Invalid request", 400, "request body is not valid JSON").with("field", "body");
        }
        return new Problem(TYPE, "Invalid request", 400, "field '" + field + "' has an invalid value").with("field", field);
    }

    public static ProblemException exception(JsonProcessingException e) {
        return new ProblemException(of(e));
    }
}
