package ai.kiku.webhook.rest;

import ai.kiku.webhook.service.SignatureVerifier;
import ai.kiku.webhook.support.InboxProbe;
import ai.kiku.webhook.support.Paddle;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Receiving: what is refused (and leaves no trace), what is stored, and what the answer is. */
@QuarkusTest
class PaddleWebhookTest {

    private static final Logger LOG = Logger.getLogger(PaddleWebhookTest.class);

    @Inject
    InboxProbe inbox;

    @Inject
    MeterRegistry registry;

    private static ObjectNode customerCreated(String eventId) {
        ObjectNode data = Paddle.MAPPER.createObjectNode().put("id", Paddle.id("ctm")).put("name", "Ann Ü");
        return Paddle.envelope(eventId, "customer.created", data);
    }

    @Test
    void shouldStoreSignedUnhandledEventAsIgnoredAndAnswer200() {
        String eventId = Paddle.id("evt");
        Paddle.deliver(customerCreated(eventId)).then().statusCode(200)
                .body("eventId", equalTo(eventId)).body("status", equalTo("ignored"));
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }

    @Test
    void shouldAcceptDeliveriesWhateverTheirContentTypeAndAcceptHeaders() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        io.restassured.RestAssured.given().contentType("text/plain; charset=ISO-8859-1").accept("text/html")
                .header("Paddle-Signature", Paddle.sign(body)).body(body).post("/webhooks/paddle")
                .then().statusCode(200);
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }

    @Test
    void shouldAnswer200AndChangeNothingOnRepeatedDelivery() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        Paddle.deliver(body, Paddle.sign(body)).then().statusCode(200).body("status", equalTo("ignored"));
        long rows = inbox.totalRows();
        Paddle.deliver(body, Paddle.sign(body)).then().statusCode(200).body("status", equalTo("duplicate"));
        assertThat(inbox.totalRows()).isEqualTo(rows);
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }

    @Test
    void shouldAcceptRotatedSecretAndAnyOfSeveralSignatures() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        long ts = Instant.now().getEpochSecond();
        String foreign = SignatureVerifier.sign("pdl_ntfset_unknown", ts, body);
        String rotated = SignatureVerifier.sign(Paddle.ROTATED_SECRET, ts, body).split(";")[1];
        Paddle.deliver(body, foreign + ";" + rotated).then().statusCode(200);
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }

    @Test
    void shouldAcceptAValidH1BesideOneThatIsNotADigest() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        long ts = Instant.now().getEpochSecond();
        String valid = SignatureVerifier.sign(Paddle.SECRET, ts, body).split(";")[1];
        Paddle.deliver(body, "ts=" + ts + ";h1=junk;" + valid).then().statusCode(200);
        assertThat(inbox.status(eventId)).isEqualTo("ignored");
    }

    @Test
    void shouldRefuseATimestampTooFarInTheFutureWithNothingStored() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        long future = Instant.now().getEpochSecond() + 3600;
        Paddle.deliver(body, SignatureVerifier.sign(Paddle.SECRET, future, body)).then().statusCode(401)
                .contentType(startsWith("application/problem+json"));
        assertThat(inbox.status(eventId)).isNull();
    }

    @Test
    void shouldRefuseForgedOrMalformedSignaturesWithNothingStored() {
        String eventId = Paddle.id("evt");
        byte[] body = Paddle.bytes(customerCreated(eventId));
        long now = Instant.now().getEpochSecond();
        String good = Paddle.sign(body);
        byte[] tampered = body.clone();
        tampered[tampered.length - 3] ^= 1;
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("missing header", new Object[] {body, null});
        cases.put("invalid_header", new Object[] {body, "invalid_header"});
        cases.put("h1 without ts", new Object[] {body, good.substring(good.indexOf("h1="))});
        cases.put("ts without h1", new Object[] {body, "ts=" + now});
        cases.put("another secret", new Object[] {body, SignatureVerifier.sign("pdl_ntfset_other", now, body)});
        cases.put("one byte changed", new Object[] {tampered, good});
        cases.put("stale ts", new Object[] {body, SignatureVerifier.sign(Paddle.SECRET, now - 60, body)});
        long rows = inbox.totalRows();
        cases.forEach((name, c) -> Paddle.deliver((byte[]) c[0], (String) c[1]).then().statusCode(401)
                .contentType(startsWith("application/problem+json")).body("status", equalTo(401)));
        assertThat(inbox.status(eventId)).isNull();
        assertThat(inbox.totalRows()).isEqualTo(rows);
    }

    @Test
    void shouldRefusePaddlesFixturesWhoseTimestampIsStale() {
        Path dir = Paddle.fixtures().orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/fixtures/paddle is absent: skipping Paddle's own fixtures");
        long rows = inbox.totalRows();
        Paddle.deliver(Paddle.fixture(dir, "standard_payload.json"),
                "ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744")
                .then().statusCode(401);
        assertThat(inbox.status("evt_01hs0tqfme2xwb2hvwv87p8y3w")).isNull();
        assertThat(inbox.totalRows()).isEqualTo(rows);
    }

    @Test
    void shouldAnswer400ForSignedBodiesThatAreNotPaddleEnvelopes() {
        String eventId = Paddle.id("evt");
        ObjectNode noData = customerCreated(eventId);
        noData.put("data", "text");
        ObjectNode badTime = customerCreated(eventId);
        badTime.put("occurred_at", "yesterday");
        ObjectNode noId = customerCreated(eventId);
        noId.remove("event_id");
        ObjectNode numericType = customerCreated(eventId);
        numericType.put("event_type", 7);
        List<byte[]> bodies = List.of("not json".getBytes(StandardCharsets.UTF_8),
                "[1,2]".getBytes(StandardCharsets.UTF_8), Paddle.bytes(noData), Paddle.bytes(badTime),
                Paddle.bytes(noId), Paddle.bytes(numericType));
        List<String> fields = List.of("body", "body", "data", "occurred_at", "event_id", "event_type");
        long rows = inbox.totalRows();
        for (int i = 0; i < bodies.size(); i++) {
            Paddle.deliver(bodies.get(i), Paddle.sign(bodies.get(i))).then().statusCode(400)
                    .contentType(startsWith("application/problem+json")).body("field", equalTo(fields.get(i)));
        }
        assertThat(inbox.status(eventId)).isNull();
        assertThat(inbox.totalRows()).isEqualTo(rows);
    }

    /** An envelope PostgreSQL cannot store (jsonb has no NUL character): a retry cannot help, so 400, not 503. */
    @Test
    void shouldAnswer400ForASignedEnvelopeThatPostgresCannotStore() {
        String eventId = Paddle.id("evt");
        ObjectNode event = customerCreated(eventId);
        ((ObjectNode) event.get("data")).put("name", "nul\0byte");
        byte[] body = Paddle.bytes(event);
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\\u0000");

        Paddle.deliver(body, Paddle.sign(body)).then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("field", equalTo("body"));

        assertThat(inbox.status(eventId)).isNull();
    }

    @Test
    void shouldAnswer413ForBodiesAboveTheCap() {
        byte[] body = new byte[1_048_577];
        Arrays.fill(body, (byte) ' ');
        Paddle.deliver(body, Paddle.sign(body)).then().statusCode(413)
                .contentType(startsWith("application/problem+json"));
    }

    /**
     * Not a timed assertion: logs the acknowledgement latency (client-side over a kept-alive
     * connection, and the server's own kiku_webhook_ack timer) for the bench note.
     */
    @Test
    void shouldAcknowledgeEveryDeliveryAndReportLatency() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/webhooks/paddle");
        List<Long> micros = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String eventId = Paddle.id("evt");
            ids.add(eventId);
            byte[] body = Paddle.bytes(customerCreated(eventId));
            HttpRequest request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .header("Paddle-Signature", Paddle.sign(body)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long start = System.nanoTime();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            micros.add((System.nanoTime() - start) / 1_000);
            assertThat(status).isEqualTo(200);
        }
        List<Long> measured = new ArrayList<>(micros.subList(100, micros.size()));
        Collections.sort(measured);
        Timer server = registry.find("kiku.webhook.ack").timer();
        LOG.infof("ack latency over %d deliveries after warm-up: p50 %d us, p99 %d us, max %d us (client side);"
                        + " server timer p99 %.1f ms over %d", measured.size(), measured.get(measured.size() / 2),
                measured.get(measured.size() * 99 / 100), measured.get(measured.size() - 1),
                server == null ? -1.0 : server.takeSnapshot().percentileValues()[1].value(TimeUnit.MILLISECONDS),
                server == null ? 0 : server.count());
        assertThat(ids).allSatisfy(id -> assertThat(inbox.status(id)).isEqualTo("ignored"));
    }
}
