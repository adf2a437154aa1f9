package ai.kiku.webhook.client;

import ai.kiku.webhook.config.KikuConfig;
import ai.kiku.webhook.config.PaddleConfig;
import ai.kiku.webhook.config.WebhookConfig;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Creates Paddle transactions (checkouts), against the real Paddle API when {@code kiku.paddle.api-key}
 * is set, otherwise against the local simulator of this service when local stand-ins are on.
 * Timeout, retry (only on transient failures: Paddle may create a second, never-paid transaction,
 * which is harmless) and a circuit breaker so a Paddle outage fails fast.
 */
@ApplicationScoped
public class PaddleClient {

    /** Bearer the simulator expects; it is not a secret. */
    public static final String SIMULATOR_KEY = "pdl_local_simulator";

    private final PaddleConfig paddle;
    private final Optional<PaddleApi> api;
    private final String bearer;

    public PaddleClient(PaddleConfig paddle, KikuConfig kiku, WebhookConfig webhook) {
        this.paddle = paddle;
        String base;
        if (paddle.apiKey().filter(k -> !k.isBlank()).isPresent()) {
            base = paddle.apiUrl();
            bearer = "Bearer " + paddle.apiKey().get().trim();
        } else if (kiku.localStandins()) {
            base = webhook.url() + "/paddle-sim";
            bearer = "Bearer " + SIMULATOR_KEY;
        } else {
            base = null;
            bearer = null;
        }
        this.api = Optional.ofNullable(base).map(b -> build(b, paddle));
    }

    /** Builds a client for {@code baseUrl}; also used by tests against a stub of Paddle. */
    public static PaddleApi build(String baseUrl, PaddleConfig config) {
        long timeout = config.apiTimeout().toMillis();
        return QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(baseUrl))
                .connectTimeout(timeout, TimeUnit.MILLISECONDS).readTimeout(timeout, TimeUnit.MILLISECONDS)
                .build(PaddleApi.class);
    }

    /** True when checkouts can be created (a Paddle API key, or the local simulator). */
    public boolean configured() {
        return api.isPresent();
    }

    /** Whether checkouts go to the local simulator. */
    public boolean simulated() {
        return api.isPresent() && paddle.apiKey().filter(k -> !k.isBlank()).isEmpty();
    }

    @Timeout(value = 10, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, jitter = 100, abortOn = PaddleRejectedException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.5, delay = 30, delayUnit = ChronoUnit.SECONDS,
            skipOn = PaddleRejectedException.class)
    public PaddleTransaction.Data createTransaction(PaddleTransaction.Create request) {
        PaddleApi client = api.orElseThrow(() -> new IllegalStateException("Paddle is not configured"));
        try {
            PaddleTransaction.Envelope created = client.createTransaction(bearer, request);
            if (created == null || created.data() == null || created.data().id() == null
                    || created.data().checkout() == null || created.data().checkout().url() == null) {
                throw new PaddleRejectedException("Paddle returned a transaction without id or checkout URL"
                        + " (set a default payment link in Paddle or kiku.paddle.checkout-url)");
            }
            return created.data();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status >= 400 && status < 500 && status != 429) {
                throw new PaddleRejectedException("Paddle refused the transaction with HTTP " + status);
            }
            throw e;
        }
    }
}
