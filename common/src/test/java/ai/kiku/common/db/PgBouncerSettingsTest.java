package ai.kiku.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one flag turns on the datasource settings for PgBouncer's transaction mode, and nothing without it. */
class PgBouncerSettingsTest {

    private static final String CACHE = "quarkus.datasource.reactive.cache-prepared-statements";
    private static final String LAYER7 = "quarkus.datasource.reactive.postgresql.use-layer7-proxy";
    private static final String THRESHOLD = "quarkus.datasource.jdbc.additional-jdbc-properties.prepareThreshold";

    @Test
    void shouldSetTheTransactionModeSettingsWhenTheEnvironmentSaysBehindPgBouncer() {
        SmallRyeConfig config = config(Map.of("KIKU_DB_BEHIND_PGBOUNCER", "true"), Map.of());

        assertThat(config.getOptionalValue(LAYER7, Boolean.class)).contains(true);
        assertThat(config.getOptionalValue(CACHE, Boolean.class)).contains(false);
        assertThat(config.getOptionalValue(THRESHOLD, Integer.class)).contains(0);
    }

    @Test
    void shouldLeaveTheDirectConnectionDefaultsAloneWithoutTheFlag() {
        SmallRyeConfig config = config(Map.of("KIKU_DB_BEHIND_PGBOUNCER", "false"), Map.of());

        assertThat(config.getOptionalValue(LAYER7, Boolean.class)).isEmpty();
        assertThat(config.getOptionalValue(CACHE, Boolean.class)).isEmpty(); // Quarkus' default: cached
        assertThat(config.getOptionalValue(THRESHOLD, Integer.class)).isEmpty();
    }

    @Test
    void shouldLetOneSettingBeOverriddenByItsOwnVariableAndWinOverApplicationProperties() {
        SmallRyeConfig config = config(Map.of("KIKU_DB_BEHIND_PGBOUNCER", "true",
                        "QUARKUS_DATASOURCE_JDBC_ADDITIONAL_JDBC_PROPERTIES_PREPARETHRESHOLD", "1"),
                Map.of(CACHE, "true"));

        assertThat(config.getOptionalValue(CACHE, Boolean.class)).contains(false);
        assertThat(config.getRawValue(THRESHOLD)).isEqualTo("1");
    }

    private static SmallRyeConfig config(Map<String, String> env, Map<String, String> applicationProperties) {
        return new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300))
                .withSources(new PropertiesConfigSource(applicationProperties, "application.properties", 250))
                .withSources(new PgBouncerSettings())
                .build();
    }
}
