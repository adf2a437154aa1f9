package ai.kiku.api.service;

import ai.kiku.common.contract.ProblemTypes;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;

/** Problems of the gateway's own that clients tell apart by their type, beyond common's generic ones. */
public final class GatewayProblems {

    /** The last segment of an unknown model's problem type (OpenAI's {@code model_not_found}). */
    public static final String MODEL_NOT_FOUND = "model-not-found";

    private GatewayProblems() {
    }

    /** A model nobody here prices or serves, naming field {@code model}: 400 in a request body, 404 as a path. */
    public static ProblemException modelNotFound(int status, String detail) {
        return new ProblemException(new Problem(ProblemTypes.BASE + MODEL_NOT_FOUND,
                status == 404 ? "Not found" : "Invalid request", status, detail).with("field", "model"));
    }
}
