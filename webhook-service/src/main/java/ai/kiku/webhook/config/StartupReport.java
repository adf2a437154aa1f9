package ai.kiku.webhook.config;

import ai.kiku.webhook.client.PaddleClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Says at start what this replica will do with Paddle, and warns about settings that make it refuse work. */
@ApplicationScoped
public class StartupReport {

    private static final Logger LOG = Logger.getLogger(StartupReport.class);

    void report(@Observes StartupEvent event, PaddleConfig paddle, KikuConfig kiku, WebhookConfig webhook,
                PaddleClient client) {
        boolean secrets = paddle.webhookSecrets().map(l -> l.stream().anyMatch(s -> !s.isBlank())).orElse(false);
        if (!secrets && !client.simulated()) {
            LOG.warn("kiku.paddle.webhook-secrets is not set: every Paddle delivery will be refused with 401");
        }
        if (kiku.internalToken().isEmpty()) {
            LOG.warn("kiku.internal.token is not set: billing calls will fail (no credit can be booked)");
        }
        if (kiku.botToken().isEmpty()) {
            LOG.warn("kiku.internal.tokens.bot is not set: every checkout request is refused");
        }
        if (kiku.adminToken().isEmpty()) {
            LOG.warn("kiku.admin.token is not set: /admin/v1/webhooks is closed");
        }
        String checkouts = client.simulated() ? "the local Paddle simulator at " + webhook.url() + "/paddle-sim"
                : client.configured() ? "Paddle at " + paddle.apiUrl() : "nothing (no kiku.paddle.api-key)";
        LOG.infof("Paddle webhooks: signature max age %s, %d secret(s); checkouts via %s; inbox processor %s",
                paddle.signatureMaxAge(), paddle.webhookSecrets().map(java.util.List::size).orElse(0), checkouts,
                webhook.processorEnabled() ? "on" : "off");
    }
}
