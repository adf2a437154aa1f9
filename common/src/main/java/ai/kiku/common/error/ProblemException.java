package ai.kiku.common.error;

import ai.kiku.common.contract.ProblemTypes;

/**
 * Thrown anywhere a request must end with a client-visible problem; mapped to problem+json by
 * {@link ProblemMappers}. Carries no stack trace: it is control flow, not a fault.
 */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.getTitle() + ": " + problem.getDetail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    /** 400 naming the offending field. */
    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(new Problem(ProblemTypes.INVALID_REQUEST, "Invalid request", 400,
                detail).with("field", field));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(new Problem(ProblemTypes.NOT_FOUND, "Not found", 404,
                what + " not found"));
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(new Problem(ProblemTypes.UNAUTHORIZED, "Unauthorized", 401, detail));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(new Problem(ProblemTypes.CONFLICT, "Conflict", 409, detail));
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(new Problem(ProblemTypes.UNAVAILABLE, "Service unavailable", 503,
                detail));
    }
}
