package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The operators' bearer token for {@code /admin/v1/**}; when unset every admin call is refused. */
@ConfigMapping(prefix = "kiku.admin")
public interface AdminConfig {

    Optional<String> token();
}
