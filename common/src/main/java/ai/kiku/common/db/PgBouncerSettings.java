package ai.kiku.common.db;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.Map;

/**
 * {@code kiku.db.behind-pgbouncer=true} turns on the datasource settings that work through PgBouncer in transaction
 * mode, where consecutive transactions of one client connection run on different server connections, so nothing may
 * outlive a transaction on the server: no named prepared statement of the reactive client (it re-parses an unnamed
 * statement before each execution instead, and caches none) nor of the JDBC driver (billing's Flyway). Off, the
 * direct-PostgreSQL defaults (cached server-side statements) stay.
 */
public final class PgBouncerSettings implements ConfigSourceFactory {

    public static final String FLAG = "kiku.db.behind-pgbouncer";

    /** Above application.properties (250), below environment variables (300) and system properties (400). */
    static final int ORDINAL = 260;

    /** What the flag sets; each can still be overridden one by one through the environment. */
    public static final Map<String, String> SETTINGS = Map.of(
            // Vert.x: Parse an unnamed statement again in the same Sync as its Bind/Execute
            "quarkus.datasource.reactive.postgresql.use-layer7-proxy", "true",
            // Vert.x: cached statements are named and would be looked up on another server connection
            "quarkus.datasource.reactive.cache-prepared-statements", "false",
            // pgjdbc: never switch to named statements (S_1, ...) after 5 executions
            "quarkus.datasource.jdbc.additional-jdbc-properties.prepareThreshold", "0");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue flag = context.getValue(FLAG);
        if (flag == null || flag.getValue() == null || !Boolean.parseBoolean(flag.getValue().trim())) {
            return List.of();
        }
        return List.of(new MapBackedConfigSource(FLAG + "=true", SETTINGS, ORDINAL) {
        });
    }
}
