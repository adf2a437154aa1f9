package ai.kiku.webhook.rest;

import ai.kiku.webhook.client.PaddleClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Paddle simulator mints credits without a payment, so it answers only on loopback. The app is bound
 * to every interface here, and the test calls it both over 127.0.0.1 and over a non-loopback address of
 * this machine: the server sees a non-loopback TCP peer, exactly as for a caller from another host
 * (the packets do not leave the machine, but the addresses the guard decides on are the same).
 * Skipped when the machine has no non-loopback IPv4 address.
 */
@QuarkusTest
@TestProfile(PaddleSimulatorExposureTest.AllInterfaces.class)
class PaddleSimulatorExposureTest {

    /** Listens on every interface (the default profile binds loopback only). */
    public static class AllInterfaces implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.host", "0.0.0.0", "quarkus.http.test-host", "0.0.0.0");
        }
    }

    private static final String CREATE = "{\"items\":[{\"price_id\":\"pri_local_5\",\"quantity\":1}],"
            + "\"custom_data\":{\"kiku_account_id\":\"1001\"}}";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> send(String host, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + PaddleClient.SIMULATOR_KEY);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Optional<String> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address.getHostAddress());
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void shouldAnswer404ToEverySimulatorRequestFromANonLoopbackAddress() throws Exception {
        String outside = nonLoopbackAddress().orElse(null);
        Assumptions.assumeTrue(outside != null, "no non-loopback IPv4 address on this machine");

        // from loopback the simulator works: a checkout is created and its page served
        HttpResponse<String> created = send("127.0.0.1", "POST", "/paddle-sim/transactions", CREATE);
        assertThat(created.statusCode()).isEqualTo(201);
        String txn = created.body().replaceAll("(?s).*\"id\"\\s*:\\s*\"(txn_[0-9a-z]+)\".*", "$1");
        assertThat(send("127.0.0.1", "GET", "/paddle-sim/checkout/" + txn, null).statusCode()).isEqualTo(200);

        // from the machine's network address: nothing there, whatever the method or path
        assertThat(send(outside, "POST", "/paddle-sim/transactions", CREATE).statusCode()).isEqualTo(404);
        assertThat(send(outside, "GET", "/paddle-sim/checkout/" + txn, null).statusCode()).isEqualTo(404);
        assertThat(send(outside, "POST", "/paddle-sim/checkout/" + txn + "/pay", null).statusCode()).isEqualTo(404);
        assertThat(send(outside, "PUT", "/paddle-sim/transactions", CREATE).statusCode()).isEqualTo(404);
        assertThat(send(outside, "GET", "//paddle-sim/checkout/" + txn, null).statusCode()).isEqualTo(404);
        HttpResponse<String> refused = send(outside, "GET", "/paddle-sim/checkout/" + txn, null);
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(refused.body()).doesNotContain(txn);
        // the rest of the service is still reachable from there (only the simulator is loopback-only)
        assertThat(send(outside, "GET", "/q/health/live", null).statusCode()).isEqualTo(200);
    }
}
