package ai.kiku.billing;

import ai.kiku.testing.PgBouncerResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** The harness' {@link PgBouncerResource}, wrapped in a class of this module for the reason given on {@link BillingInfra}. */
public class BillingPgBouncer implements QuarkusTestResourceLifecycleManager {

    private final PgBouncerResource delegate = new PgBouncerResource();

    @Override
    public Map<String, String> start() {
        return delegate.start();
    }

    @Override
    public int order() {
        return delegate.order();
    }

    @Override
    public void stop() {
        delegate.stop();
    }
}
