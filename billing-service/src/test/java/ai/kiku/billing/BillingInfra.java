package ai.kiku.billing;

import ai.kiku.testing.KikuInfraResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * The shared harness' {@link KikuInfraResource}, wrapped in a class of this module: a resource class
 * coming straight from the test-jar was sometimes loaded by the app class loader and failed the cast
 * to {@link QuarkusTestResourceLifecycleManager} (quarkusio/quarkus#43682).
 */
public class BillingInfra implements QuarkusTestResourceLifecycleManager {

    /** Set once the first boot of this JVM has its database. */
    private static final String STARTED = "kiku.test.billing.infra-started";

    private final KikuInfraResource delegate = new KikuInfraResource();

    @Override
    public void init(Map<String, String> initArgs) {
        Map<String, String> args = new HashMap<>(initArgs);
        // a later boot (a test profile's, e.g. BehindPgBouncer) gets a fresh database whose account ids start at 1
        // again: Redis must not keep the previous boot's accounts under the same ids
        if (Boolean.getBoolean(STARTED)) {
            args.put("flushRedis", "true");
        }
        System.setProperty(STARTED, "true");
        delegate.init(args);
    }

    @Override
    public Map<String, String> start() {
        return delegate.start();
    }

    @Override
    public void stop() {
        delegate.stop();
    }
}
