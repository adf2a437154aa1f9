package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The service-to-service bearer token for {@code /internal/v1/**}; when unset every internal call is refused. */
@ConfigMapping(prefix = "kiku.internal")
public interface InternalConfig {

    Optional<String> token();
}
