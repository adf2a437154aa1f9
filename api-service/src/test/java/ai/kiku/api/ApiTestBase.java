package ai.kiku.api;

import ai.kiku.api.redis.HotPath;
import ai.kiku.api.service.CatalogueService;
import ai.kiku.api.support.FakeBilling;
import ai.kiku.common.money.MoneyCore;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Shared wiring of the gateway tests: billing's Redis state, the stub's hit counters, request helpers. */
abstract class ApiTestBase {

    @Inject
    Redis redis;

    @Inject
    @HotPath
    MoneyCore money;

    @Inject
    CatalogueService catalogue;

    @ConfigProperty(name = "kiku.test.stub-port")
    int stubPort;

    FakeBilling billing;

    @BeforeEach
    void publishBillingState() {
        billing = new FakeBilling(redis, money);
        billing.publishCatalogue();
        catalogue.invalidate();
    }

    static RequestSpecification as(FakeBilling.TestKey key) {
        return RestAssured.given().header("Authorization", key.bearer());
    }

    static String chat(String model, String text) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    static String streamChat(String model, String text, boolean includeUsage) {
        return "{\"model\":\"" + model + "\",\"stream\":true" + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** The traceparent header of the last call billing's internal usage API got (or "null"). */
    String billingTraceparent() throws Exception {
        return stub("/billing/traceparent");
    }

    /** How often the stub played {@code provider}. */
    int hits(String provider) throws Exception {
        return Integer.parseInt(stub("/" + provider + "/hits"));
    }

    /** The body of the last request {@code provider} got, as the gateway sent it. */
    String lastBody(String provider) throws Exception {
        return stub("/" + provider + "/last");
    }

    private String stub(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stubPort + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Starts a streamed call on a raw socket and leaves once the first event has arrived (the socket closes
     * mid-stream, as a client that goes away); answers the call's request id.
     */
    static String streamAndLeave(FakeBilling.TestKey key, String path, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000); // a refused request is answered without SSE: do not wait for one forever
            OutputStream out = socket.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + key.bearer()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String id = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.toLowerCase(Locale.ROOT).startsWith("x-request-id:")) {
                    id = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.contains("data: {")) {
                    break;
                }
            }
            return id;
        }
    }

    /** Waits (up to 15 s) until the call's usage record exists: a left stream is charged when the upstream ends. */
    void awaitUsage(long accountId, String requestId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (billing.usageField(accountId, requestId, "cost") == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
