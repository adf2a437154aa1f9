package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;

import java.util.Map;
import java.util.Optional;

/**
 * Who may call {@code /admin/v1/**}: each operator with a token of their own, so that what they change is
 * recorded under their name, and the shared token (recorded as {@code admin-token}). With neither set every
 * admin call is refused.
 */
@ConfigMapping(prefix = "kiku.admin")
public interface AdminConfig {

    /** The shared operators' token, the operator {@code admin-token}. */
    Optional<String> token();

    /**
     * {@code kiku.admin.operators.<name>=<token>} ({@code KIKU_ADMIN_OPERATORS_<NAME>}): names of lowercase letters,
     * digits and '-' (up to 64), tokens of at least 32 characters, each its own; billing refuses to start otherwise.
     */
    Map<String, String> operators();
}
