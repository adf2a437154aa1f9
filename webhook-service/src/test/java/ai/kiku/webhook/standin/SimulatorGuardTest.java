package ai.kiku.webhook.standin;

import io.vertx.core.net.SocketAddress;
import org.jboss.resteasy.reactive.common.util.CaseInsensitiveMap;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator guard's decision on its own, for peers a test cannot be from loopback (another host,
 * IPv6, a domain socket). Tests send traffic only to loopback, so no test binds the simulator to a
 * public interface; that the guard sees the real TCP peer rests on Vert.x's remoteAddress(), and the
 * loopback side is driven over HTTP by CheckoutTest and PaddleSimulatorOffTest.
 */
class SimulatorGuardTest {

    private static CaseInsensitiveMap<String> headers(String... nameValues) {
        CaseInsensitiveMap<String> map = new CaseInsensitiveMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.add(nameValues[i], nameValues[i + 1]);
        }
        return map;
    }

    private static SocketAddress peer(String ip) {
        return SocketAddress.inetSocketAddress(40000, ip);
    }

    @Test
    void shouldAllowOnlyLoopbackPeersWhileTheSimulatorIsActive() {
        for (String ip : new String[] {"127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
            assertThat(SimulatorGuard.allows(true, peer(ip), headers())).as(ip).isTrue();
            assertThat(SimulatorGuard.allows(false, peer(ip), headers())).as(ip + " with the simulator off").isFalse();
        }
        for (String ip : new String[] {"10.0.0.5", "192.0.2.2", "0.0.0.0", "::", "fe80::1", "2001:db8::1",
                "::ffff:10.0.0.5", "localhost"}) {
            assertThat(SimulatorGuard.allows(true, peer(ip), headers())).as(ip).isFalse();
        }
        assertThat(SimulatorGuard.allows(true, SocketAddress.domainSocketAddress("/tmp/kiku.sock"), headers())).isFalse();
        assertThat(SimulatorGuard.allows(true, null, headers())).isFalse();
    }

    @Test
    void shouldRefuseRequestsRelayedByAProxyEvenFromLoopback() {
        for (String header : new String[] {"X-Forwarded-For", "x-forwarded-for", "Forwarded", "X-Real-IP",
                "X-Forwarded-Host"}) {
            assertThat(SimulatorGuard.allows(true, peer("127.0.0.1"), headers(header, "203.0.113.9"))).as(header)
                    .isFalse();
        }
        assertThat(SimulatorGuard.allows(true, peer("127.0.0.1"), headers("Accept", "text/html"))).isTrue();
    }

    @Test
    void shouldCoverEverySpellingOfTheSimulatorsPaths() {
        for (String path : new String[] {"/paddle-sim", "/paddle-sim/", "/paddle-sim/transactions",
                "//paddle-sim/checkout/x", "/PADDLE-SIM/checkout/x/pay", "/paddle-sim/anything/else"}) {
            assertThat(SimulatorGuard.underSimulator(path)).as(path).isTrue();
        }
        for (String path : new String[] {"/webhooks/paddle", "/paddle-simulator", "/q/health", "", null}) {
            assertThat(SimulatorGuard.underSimulator(path)).as(path).isFalse();
        }
    }
}
