package ai.kiku.testing;

import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a Quarkus test gets from {@link KikuInfraResource}. */
class KikuInfraResourceTest {

    @Test
    void infraResourceGivesEachUserAFreshDatabaseAndTheClusterHosts() throws Exception {
        KikuInfraResource first = new KikuInfraResource();
        first.init(Map.of());
        Map<String, String> a = first.start();
        KikuInfraResource second = new KikuInfraResource();
        second.init(Map.of("flushRedis", "true"));
        Map<String, String> b = second.start();

        assertThat(a).containsOnlyKeys("kiku.redis.hosts", "kiku.db.host", "kiku.db.port", "kiku.db.name",
                "kiku.db.username", "kiku.db.password");
        assertThat(a.get("kiku.db.name")).isNotEqualTo(b.get("kiku.db.name"));
        assertThat(a.get("kiku.redis.hosts")).isEqualTo(RedisCluster.shared().hosts());
        assertThat(List.of(a.get("kiku.redis.hosts").split(","))).hasSize(6);
        String url = "jdbc:postgresql://" + a.get("kiku.db.host") + ":" + a.get("kiku.db.port") + "/" + a.get("kiku.db.name");
        try (Connection c = DriverManager.getConnection(url, a.get("kiku.db.username"), a.get("kiku.db.password"));
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
        first.stop();
        second.stop();
    }

    @Test
    void leavesRedisOutForAServiceWithoutARedisClient() {
        KikuInfraResource resource = new KikuInfraResource();
        resource.init(Map.of("redis", "false"));

        Map<String, String> config = resource.start();

        assertThat(config).containsOnlyKeys("kiku.db.host", "kiku.db.port", "kiku.db.name", "kiku.db.username",
                "kiku.db.password");
        assertThat(Postgres.shared().databaseExists(config.get("kiku.db.name"))).isTrue();
    }

    @Test
    void bringsBackServersThatAnEarlierTestLeftDown() {
        RedisCluster redis = RedisCluster.shared();
        Postgres pg = Postgres.shared();
        int replica = redis.replicaPorts().get(0);
        redis.killNode(replica);
        pg.stop();

        KikuInfraResource resource = new KikuInfraResource();
        resource.init(Map.of());
        Map<String, String> config = resource.start();

        assertThat(redis.runningPorts()).hasSize(6);
        assertThat(pg.isRunning()).isTrue();
        assertThat(pg.databaseExists(config.get("kiku.db.name"))).isTrue();
        assertThat(resource.database()).isEqualTo(config.get("kiku.db.name"));
    }
}
