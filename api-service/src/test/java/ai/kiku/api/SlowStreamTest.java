package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams that outlive the hold TTL (issue 12, section 4): with a 1 s hold, a stream dripping for
 * 6 s keeps its money held until it settles; one that never ends is cut at the maximum duration
 * and charged its reservation.
 */
@QuarkusTest
@TestProfile(SlowStreamTest.ShortHolds.class)
@WithTestResource(ApiTestResource.class)
class SlowStreamTest extends ApiTestBase {

    /** Holds expire after 1 s unless kept alive; calls are cut after 8 s. */
    public static class ShortHolds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.money.hold-ttl", "1s", "kiku.api.max-stream-duration", "8s");
        }
    }

    private CompletableFuture<HttpResponse<String>> stream(TestKey key, String text, boolean includeUsage) {
        return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(streamChat("stub-model", text, includeUsage))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One quick streamed call and balance read first, so a cold start cannot eat the test's timing. */
    private void warmUp(TestKey key) throws Exception {
        assertThat(stream(key, "warm up", false).get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        heldSeenBy(key);
    }

    /** The call's reservation, once it is held (a loaded machine may take a while to get there). */
    private static long reservationOf(TestKey key) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        long held = heldSeenBy(key);
        while (held == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            held = heldSeenBy(key);
        }
        assertThat(held).as("the call's hold").isPositive();
        return held;
    }

    /** Held micros as a balance read sees them: the read sweeps expired holds first. */
    private static long heldSeenBy(TestKey key) {
        return as(key).get("/api/v1/balance").then().statusCode(200).extract().jsonPath().getLong("heldMicros");
    }

    @Test
    void shouldKeepTheHoldOfASlowStreamUntilItSettles() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        warmUp(key);
        long balance = billing.balance(key.accountId());
        CompletableFuture<HttpResponse<String>> call = stream(key, "#drip slowly", true);
        long reserved = reservationOf(key);
        long start = System.currentTimeMillis();

        Thread.sleep(3000);
        // three hold TTLs later, the stream (6 s of chunks) still runs and its money is still held
        assertThat(call).isNotDone();
        assertThat(heldSeenBy(key)).isEqualTo(reserved);

        HttpResponse<String> done = call.get(30, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).endsWith("data: [DONE]\n\n");
        // the reported usage: 1,000 + 20 prompt tokens + 2,000 completion tokens x 2
        assertThat(billing.usageCosts(key.accountId())).endsWith(5020);
        assertThat(billing.balance(key.accountId())).isEqualTo(balance - 5020);
        assertThat(heldSeenBy(key)).isZero();
    }

    @Test
    void shouldKeepTheHoldOfACallWaitingForASlowAnswer() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        warmUp(key);
        long balance = billing.balance(key.accountId());
        CompletableFuture<HttpResponse<String>> call = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/v1/chat/completions"))
                .header("Authorization", key.bearer()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("stub-model", "#pause then answer"))).build(),
                HttpResponse.BodyHandlers.ofString());
        long reserved = reservationOf(key);

        Thread.sleep(1200);
        // past the 1 s hold TTL, the answer (1.7 s away) is still awaited and the money still held
        assertThat(call).isNotDone();
        assertThat(heldSeenBy(key)).isEqualTo(reserved);

        assertThat(call.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(billing.balance(key.accountId())).isEqualTo(balance - 5020);
        assertThat(heldSeenBy(key)).isZero();
    }

    @Test
    void shouldCutAStreamAtTheMaximumDurationAndChargeItsReservation() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        warmUp(key);
        long balance = billing.balance(key.accountId());
        CompletableFuture<HttpResponse<String>> call = stream(key, "#endless story", false);
        long reserved = reservationOf(key);
        long start = System.currentTimeMillis();

        HttpResponse<String> cut = call.get(30, TimeUnit.SECONDS);
        long took = System.currentTimeMillis() - start;
        assertThat(took).isBetween(3_000L, 12_000L);
        assertThat(cut.body()).contains("\"type\":\"timeout\"").doesNotContain("[DONE]");
        // no usage came before the cut: the provider bills the call, so the reservation is charged
        assertThat(billing.usageCosts(key.accountId())).endsWith(reserved);
        assertThat(billing.balance(key.accountId())).isEqualTo(balance - reserved);
        assertThat(heldSeenBy(key)).isZero();
    }
}
