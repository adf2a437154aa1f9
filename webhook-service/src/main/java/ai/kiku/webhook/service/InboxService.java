package ai.kiku.webhook.service;

import ai.kiku.webhook.standin.PaddleSimulator;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import ai.kiku.webhook.config.PaddleConfig;
import ai.kiku.webhook.repository.Inbox;
import ai.kiku.webhook.repository.InboxException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives a Paddle delivery: size cap, signature over the raw bytes, envelope check, then one
 * committed insert into the inbox (idempotent on event_id) before the caller acknowledges.
 * Nothing is written unless every check passed.
 */
@ApplicationScoped
public class InboxService {

    private static final Logger LOG = Logger.getLogger(InboxService.class);

    private final Inbox inbox;
    private final EventProcessor processor;
    private final PaddleConfig paddle;
    private final PaddleSimulator simulator;
    private final ObjectMapper mapper;
    private final MeterRegistry registry;

    public InboxService(Inbox inbox, EventProcessor processor, PaddleConfig paddle,
                        PaddleSimulator simulator, ObjectMapper mapper, MeterRegistry registry) {
        this.inbox = inbox;
        this.processor = processor;
        this.paddle = paddle;
        this.simulator = simulator;
        this.mapper = mapper;
        this.registry = registry;
    }

    /** What the webhook answers with 200. {@code status}: received, ignored or duplicate. */
    public record Receipt(String eventId, String eventType, String status) {
    }

    public Receipt receive(String signature, byte[] rawBody) {
        if (rawBody.length > paddle.maxBodyBytes()) {
            count("too_large");
            throw new ProblemException(new Problem("https://kiku.ai/problems/payload-too-large", "Payload too large",
                    413, "webhook bodies are limited to " + paddle.maxBodyBytes() + " bytes"));
        }
        SignatureVerifier.Verdict verdict = SignatureVerifier.verify(signature, rawBody, secrets(),
                paddle.signatureMaxAge(), Instant.now());
        if (verdict != SignatureVerifier.Verdict.VALID) {
            count(verdict.name().toLowerCase());
            LOG.warnf("refused a Paddle delivery: signature %s", verdict);
            throw ProblemException.unauthorized("missing, malformed, stale or invalid Paddle-Signature");
        }
        PaddleEnvelope event;
        try {
            event = PaddleEnvelope.parse(mapper, rawBody);
        } catch (ProblemException e) {
            count("invalid_envelope");
            throw e;
        }
        String status = EventProcessor.HANDLED.contains(event.eventType()) ? "received" : "ignored";
        boolean inserted;
        try {
            inserted = inbox.insert(event, new String(rawBody, StandardCharsets.UTF_8), status);
        } catch (InboxException e) {
            if (e.invalidData()) {
                count("invalid_envelope");
                throw ProblemException.badRequest("body", "the event cannot be stored: " + e.getMessage());
            }
            count("unavailable");
            LOG.warnf("inbox unavailable, refusing %s so that Paddle retries: %s", event.eventId(), e.getMessage());
            throw ProblemException.unavailable("the inbox is unavailable; the delivery was not stored, retry later");
        }
        count(inserted ? status : "duplicate");
        if (inserted && status.equals("received")) {
            processor.nudge(event.eventId());
        }
        return new Receipt(event.eventId(), event.eventType(), inserted ? status : "duplicate");
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        paddle.webhookSecrets().ifPresent(list -> list.stream().map(String::trim).filter(s -> !s.isEmpty())
                .forEach(secrets::add));
        simulator.signingSecret().ifPresent(secrets::add);
        return secrets;
    }

    private void count(String result) {
        registry.counter("kiku.webhook.deliveries", "result", result).increment();
    }
}
