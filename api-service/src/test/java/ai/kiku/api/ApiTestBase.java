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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

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
}
