package ai.kiku.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness's Redis Cluster really is a cluster: slots, replicas, hash tags and failover. */
class RedisClusterTest {

    @Test
    void sharedClusterHasThreeMastersWithOneConnectedReplicaEach() throws Exception {
        RedisCluster cluster = RedisCluster.shared();

        assertThat(cluster.nodeUris()).hasSize(6).allMatch(u -> u.startsWith("redis://127.0.0.1:"));
        assertThat(cluster.hosts()).isEqualTo(String.join(",", cluster.nodeUris()));
        assertThat(cluster.masterPorts()).hasSize(3);
        assertThat(cluster.replicaPorts()).hasSize(3);
        assertThat(cluster.healthy()).isTrue();
        for (int port : cluster.ports()) {
            try (Resp r = Resp.connect(port)) {
                assertThat(RedisCluster.fields(r.text("CLUSTER", "INFO")))
                        .containsEntry("cluster_state", "ok")
                        .containsEntry("cluster_known_nodes", "6")
                        .containsEntry("cluster_size", "3");
                assertThat(r.text("CONFIG", "GET", "appendonly")).contains("yes");
            }
        }
        assertThat(RedisCluster.shared().ports()).as("shared() is one cluster per JVM").isEqualTo(cluster.ports());
    }

    @Test
    void slotOfMatchesTheServerIncludingHashTags() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        try (Resp r = Resp.connect(cluster.ports().get(0))) {
            for (String key : new String[] {"foo", "123456789", "kiku:{p07}:acct:7", "{}x", "a{}{b}", "{p63}", "x{y}z{w}", "ü{ß}"}) {
                assertThat(RedisCluster.slotOf(key)).as(key).isEqualTo(((Long) r.call("CLUSTER", "KEYSLOT", key)).intValue());
            }
        }
        assertThat(RedisCluster.slotOf("123456789")).isEqualTo(0x31C3 % RedisCluster.SLOTS);
        assertThat(RedisCluster.slotOf("kiku:{p07}:acct:7")).isEqualTo(RedisCluster.slotOf("kiku:{p07}:usage"));
    }

    @Test
    void keysWithDifferentHashTagsLandOnDifferentMasters() throws Exception {
        RedisCluster cluster = RedisCluster.shared();
        Map<Integer, String> keyByMaster = new HashMap<>();
        for (int p = 0; p < 64 && keyByMaster.size() < 3; p++) {
            String key = String.format("kiku:{p%02d}:test", p);
            keyByMaster.putIfAbsent(cluster.masterPortForKey(key), key);
        }
        assertThat(keyByMaster).hasSize(3);
        for (Map.Entry<Integer, String> e : keyByMaster.entrySet()) {
            try (Resp r = Resp.connect(e.getKey())) {
                assertThat(r.call("SET", e.getValue(), "v")).isEqualTo("OK");
                assertThat(r.call("GET", e.getValue())).isEqualTo("v");
            }
            int other = keyByMaster.keySet().stream().filter(p -> !p.equals(e.getKey())).findFirst().orElseThrow();
            try (Resp r = Resp.connect(other)) {
                assertThatThrownBy(() -> r.call("GET", e.getValue())).hasMessageStartingWith("MOVED " + RedisCluster.slotOf(e.getValue()));
            }
        }
    }

    @Test
    void killingAMasterPromotesItsReplicaAndTheOldMasterComesBackAsReplica() throws Exception {
        try (RedisCluster cluster = RedisCluster.startPrivate("failover")) {
            String key = "kiku:{p01}:acct:1";
            int master = cluster.masterPortForKey(key);
            try (Resp r = Resp.connect(master)) {
                r.call("HSET", key, "balance", "42");
                assertThat(r.call("WAIT", "1", "5000")).isEqualTo(1L);
            }

            long t0 = System.nanoTime();
            cluster.killNode(master);
            cluster.awaitHealthy(Duration.ofSeconds(30));
            long failoverMillis = (System.nanoTime() - t0) / 1_000_000;

            int promoted = cluster.masterPortForKey(key);
            assertThat(promoted).isNotEqualTo(master);
            assertThat(cluster.masterPorts()).hasSize(3).contains(promoted).doesNotContain(master);
            try (Resp r = Resp.connect(promoted)) {
                assertThat(r.call("HGET", key, "balance")).isEqualTo("42");
            }

            cluster.restartNode(master);
            assertThat(cluster.replicaPorts()).contains(master).hasSize(3);
            assertThat(cluster.masterPortForKey(key)).isEqualTo(promoted);
            System.out.println("redis failover took " + failoverMillis + " ms");
        }
    }

    @Test
    void flushAllEmptiesEveryMaster() throws Exception {
        RedisCluster cluster = RedisCluster.startPrivate("flush");
        try (cluster) {
            for (int p = 0; p < 8; p++) {
                String key = String.format("kiku:{p%02d}:x", p);
                try (Resp r = Resp.connect(cluster.masterPortForKey(key))) {
                    r.call("SET", key, "1");
                }
            }
            cluster.flushAll();
            for (int port : cluster.masterPorts()) {
                try (Resp r = Resp.connect(port)) {
                    assertThat(r.call("DBSIZE")).isEqualTo(0L);
                }
            }
        }
        assertThat(cluster.runningPorts()).as("close() stops every node").isEmpty();
    }
}
