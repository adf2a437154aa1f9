package ai.kiku.common.money;

import ai.kiku.devstack.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MoneyCoreTest}'s invariants on a Redis Cluster that requires a password and speaks only TLS to clients
 * (cluster bus and replication over TLS too), as a managed Redis with in-transit encryption: the client follows the
 * cluster's TLS ports from CLUSTER SLOTS and authenticates on every node it discovers.
 */
class MoneyCoreOnSecuredClusterTest extends MoneyCoreTest {

    private static RedisCluster secured;

    @BeforeAll
    static void openFixture() {
        secured = RedisCluster.startPrivate("money-secured", "cluster-secret", true);
        open(secured);
    }

    @AfterAll
    static void stopCluster() {
        secured.close();
    }

    @Test
    void shouldReachEveryMasterOverTlsWithThePassword() {
        assertThat(secured.hosts()).startsWith("rediss://").doesNotContain(":" + secured.ports().get(0) + ",");
        assertThat(servers.config()).containsEntry("kiku.redis.password", "cluster-secret")
                .containsEntry("kiku.redis.tls", "true");
        // one account per master: the keys of each hash tag live on a different node
        for (int i = 0; i < 12; i++) {
            long account = fundedAccount(10_000, 1_000);
            assertThat(money.core.reserve(account, 1, "secured-" + i, 1_000).await().atMost(WAIT).reserved()).isTrue();
            assertThat(money.core.settle(account, "secured-" + i, 400, usage()).await().atMost(WAIT)).isNotNull();
        }
    }
}
