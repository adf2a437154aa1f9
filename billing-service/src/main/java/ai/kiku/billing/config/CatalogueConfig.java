package ai.kiku.billing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Caching of the price catalogue. */
@ConfigMapping(prefix = "kiku.catalogue")
public interface CatalogueConfig {

    /** How long the in-process copy is served before it is re-read from PostgreSQL. */
    @WithDefault("5m")
    Duration cacheTtl();
}
