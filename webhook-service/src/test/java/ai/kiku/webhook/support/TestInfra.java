package ai.kiku.webhook.support;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Declares the test resource once for every {@code @QuarkusTest} of this module (global scope), so
 * all test classes share one app boot per profile.
 */
@WithTestResource(value = WebhookTestResource.class, scope = TestResourceScope.GLOBAL)
public final class TestInfra {

    private TestInfra() {
    }
}
