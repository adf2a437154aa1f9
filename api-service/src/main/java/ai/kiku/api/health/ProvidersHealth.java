package ai.kiku.api.health;

import ai.kiku.api.provider.ProviderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Says on {@code /q/health/ready} which LLM providers serve models, and when there are none: the
 * gateway still serves balance, usage and prices, so it stays ready, but an operator sees why every
 * model answers 404.
 */
@Readiness
@ApplicationScoped
public class ProvidersHealth implements HealthCheck {

    private final ProviderRegistry registry;

    public ProvidersHealth(ProviderRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("llm-providers").up()
                .withData("providers", String.join(",", registry.names()))
                .withData("local", registry.localEnabled());
        if (registry.names().isEmpty()) {
            response.withData("warning", "no LLM provider configured: every model answers 404 model_not_found");
        }
        return response.build();
    }
}
