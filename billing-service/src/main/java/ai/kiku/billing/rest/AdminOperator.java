package ai.kiku.billing.rest;

import ai.kiku.billing.service.Check;
import ai.kiku.common.auth.ServiceTokenGuard;
import ai.kiku.common.error.ProblemException;
import jakarta.enterprise.context.RequestScoped;

/**
 * The operator an admin call was verified as (by its bearer token, in {@link TokenFilter}), so that what an
 * operator changes is recorded under a name nobody can simply claim. The {@value #HEADER} header is a claim
 * only: it is kept beside the shared token's name as a note, and refused when it contradicts a named token.
 */
@RequestScoped
public class AdminOperator {

    /** The header in which a caller may say who they are (never taken as the identity). */
    public static final String HEADER = "X-Operator";
    private static final int MAX_CLAIM = 100;

    private String name;

    /** Set by {@link TokenFilter} once the bearer token matched an operator's. */
    public void verified(String operator) {
        this.name = operator;
    }

    /** The verified name: a {@code kiku.admin.operators.<name>}, or {@code admin-token} for the shared token. */
    public String name() {
        if (name == null) {
            throw new IllegalStateException("no verified operator: not an admin call, or TokenFilter did not run");
        }
        return name;
    }

    /** What to record as the author of a change: see {@link #recorded(String, String)}. */
    public String recorded(String claimed) {
        return recorded(name(), claimed);
    }

    /**
     * The verified name; with the shared token and a claimed name, {@code admin-token (says: <claim>)}. A named
     * operator's token with a different claim is refused (400 naming the header): a script that lies is stopped
     * before it writes anything.
     */
    static String recorded(String verified, String claimed) {
        String claim = Check.optionalText(HEADER, claimed, MAX_CLAIM);
        if (claim == null || claim.isEmpty() || claim.equals(verified)) {
            return verified;
        }
        if (!ServiceTokenGuard.SHARED_OPERATOR.equals(verified)) {
            throw ProblemException.badRequest(HEADER, HEADER + " says " + claim + " but the token is operator "
                    + verified + "'s; send no " + HEADER + " or their own name");
        }
        return verified + " (says: " + claim + ")";
    }
}
