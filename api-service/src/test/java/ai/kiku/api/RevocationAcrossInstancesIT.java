package ai.kiku.api;

import ai.kiku.api.support.FakeBilling;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.api.support.PackagedInstances;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static ai.kiku.api.support.PackagedInstances.chat;
import static ai.kiku.api.support.PackagedInstances.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real instances of the packaged gateway (two JVMs running target/quarkus-app, each with its
 * own per-process key cache and Redis connections) against one Redis Cluster: a key revoked the
 * way billing revokes it must be refused by both within one second, and metered calls at once.
 */
class RevocationAcrossInstancesIT {

    private static PackagedInstances instances;
    private static FakeBilling billing;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        instances = PackagedInstances.start("revocation-it", 2);
        billing = instances.billing();
        portA = instances.ports().get(0);
        portB = instances.ports().get(1);
    }

    @AfterAll
    static void stop() {
        if (instances != null) {
            instances.close();
        }
    }

    @Test
    void shouldRefuseARevokedKeyOnEveryInstanceWithinOneSecond() throws Exception {
        TestKey metered = billing.account(1_000_000, 600);
        TestKey browsing = billing.account(1_000_000, 600);
        for (int port : new int[]{portA, portB}) {
            for (TestKey key : new TestKey[]{metered, browsing}) {
                assertThat(get(port, "/api/v1/products", key)).isEqualTo(200);
                assertThat(get(port, "/api/v1/balance", key)).isEqualTo(200);
                assertThat(chat(port, key)).isEqualTo(200);
            }
        }

        billing.revoke(metered);
        billing.revoke(browsing);
        long revokedAt = System.nanoTime();
        // Both instances still hold "metered" (balance and the proxy reuse a found key for seconds), so
        // these refusals come from peek and reserve, which check the key's status in Redis on every call.
        assertThat(get(portA, "/api/v1/balance", metered)).isEqualTo(401);
        assertThat(chat(portB, metered)).isEqualTo(401);
        assertThat(chat(portA, metered)).isEqualTo(401);
        // Endpoints that check nothing themselves trust a key lookup for ~100 ms only ("browsing" is
        // not touched by any call above that would make an instance forget it).
        for (int port : new int[]{portB, portA}) {
            while (get(port, "/api/v1/products", browsing) != 401) {
                assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
                Thread.sleep(10);
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(billing.balance(metered.accountId())).isEqualTo(1_000_000 - 2 * 1000);
        assertThat(billing.balance(browsing.accountId())).isEqualTo(1_000_000 - 2 * 1000);
    }
}
