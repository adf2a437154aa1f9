package ai.kiku.common.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness turns DOWN the moment SIGTERM starts the drain, so balancers that probe stop sending. */
@Readiness
@ApplicationScoped
public class DrainReadiness implements HealthCheck {

    private final DrainGate gate;

    public DrainReadiness(DrainGate gate) {
        this.gate = gate;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!gate.draining()).withData("draining", gate.draining()).build();
    }
}
