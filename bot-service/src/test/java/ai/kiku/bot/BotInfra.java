package ai.kiku.bot;

import ai.kiku.testing.KikuInfraResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * The shared harness' {@link KikuInfraResource}, wrapped in a class of this module: a resource class
 * coming straight from the test-jar was sometimes loaded by the app class loader and failed the cast
 * to {@link QuarkusTestResourceLifecycleManager} (quarkusio/quarkus#43682).
 */
public class BotInfra implements QuarkusTestResourceLifecycleManager {

    private final KikuInfraResource delegate = new KikuInfraResource();

    @Override
    public void init(Map<String, String> initArgs) {
        delegate.init(initArgs);
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
