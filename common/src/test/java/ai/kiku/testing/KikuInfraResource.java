package ai.kiku.testing;

import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Quarkus test resource giving a test its real infrastructure: the JVM-wide Redis Cluster and PostgreSQL server, and a
 * fresh database of its own. Init arg {@code flushRedis=true} empties Redis when the resource starts;
 * {@code redis=false} leaves Redis out, for a service without a Redis client (no cluster, no {@code kiku.redis.hosts}).
 * <p>
 * Wrap it in a small resource class of the using module (delegating init/start/stop) rather than naming it in
 * {@code @WithTestResource} directly: a resource class coming straight from this test-jar is sometimes loaded by the
 * app class loader and fails Quarkus's cast (quarkusio/quarkus#43682).
 */
public class KikuInfraResource implements QuarkusTestResourceLifecycleManager {

    private boolean flushRedis;
    private boolean redis;
    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        flushRedis = Boolean.parseBoolean(initArgs.getOrDefault("flushRedis", "false"));
        redis = Boolean.parseBoolean(initArgs.getOrDefault("redis", "true"));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        if (redis) {
            RedisCluster cluster = RedisCluster.shared();
            // a failure test that died before bringing its server back must not break every later test
            for (int port : cluster.ports()) {
                if (!cluster.runningPorts().contains(port)) {
                    cluster.restartNode(port);
                }
            }
            if (flushRedis) {
                cluster.flushAll();
            }
            config.put("kiku.redis.hosts", cluster.hosts());
        }
        Postgres pg = Postgres.shared();
        if (!pg.isRunning()) {
            pg.start();
        }
        database = "kiku_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        pg.createDatabase(database);
        config.putAll(Map.of(
                "kiku.db.host", pg.host(),
                "kiku.db.port", Integer.toString(pg.port()),
                "kiku.db.name", database,
                "kiku.db.username", pg.username(),
                "kiku.db.password", pg.password()));
        return config;
    }

    /** The database created for this resource (null before {@link #start()}). */
    public String database() {
        return database;
    }

    @Override
    public void stop() {
        // the servers are shared by every test of this JVM and stop with it; the database dies with the data dir
    }
}
