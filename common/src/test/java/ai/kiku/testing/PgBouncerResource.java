package ai.kiku.testing;

import ai.kiku.devstack.PgBouncer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource pointing a service's datasource at the JVM-wide {@link PgBouncer} (transaction mode) in front
 * of the harness's PostgreSQL. Starts after {@link KikuInfraResource} (higher {@link #order()}), whose database it
 * keeps and whose {@code kiku.db.host}/{@code port} it replaces. Wrap it in a class of the using module, like
 * {@link KikuInfraResource}.
 */
public class PgBouncerResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PgBouncer bouncer = PgBouncer.shared();
        return Map.of("kiku.db.host", bouncer.host(), "kiku.db.port", Integer.toString(bouncer.port()));
    }

    @Override
    public int order() {
        return 100;
    }

    @Override
    public void stop() {
        // shared by the tests of this JVM; stops with it
    }
}
