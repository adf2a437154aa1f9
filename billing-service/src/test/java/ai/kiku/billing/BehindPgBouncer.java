package ai.kiku.billing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * Runs billing through Debian's PgBouncer in transaction mode (the harness' PgBouncer in front of its PostgreSQL),
 * with the one setting an operator sets for it: {@code kiku.db.behind-pgbouncer=true}.
 */
public class BehindPgBouncer implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("kiku.db.behind-pgbouncer", "true");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(BillingPgBouncer.class));
    }
}
