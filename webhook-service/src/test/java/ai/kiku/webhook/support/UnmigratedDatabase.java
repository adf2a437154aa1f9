package ai.kiku.webhook.support;

import ai.kiku.devstack.Postgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** Starts the app on a fresh database that nobody migrated: as a webhook replica that came up before billing. */
public class UnmigratedDatabase implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EmptyDatabase.class));
    }

    /** Replaces the migrated database of {@link WebhookTestResource} (started after it) with an empty one. */
    public static class EmptyDatabase implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            String name = "kiku_empty_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                    .toLowerCase(Locale.ROOT);
            Postgres.shared().createDatabase(name);
            return Map.of("kiku.db.name", name);
        }

        @Override
        public int order() {
            return 100;
        }

        @Override
        public void stop() {
            // dies with the harness' data directory
        }
    }
}
