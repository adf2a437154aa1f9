package ai.kiku.testing;

import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Quarkus test resource giving a test its real infrastructure: the JVM-wide Redis Cluster and PostgreSQL server, and a
 * fresh database of its own. Init arg {@code flushRedis=true} empties Redis when the resource starts.
 * <p>
 * Wrap it in a small resource class of the using module (delegating init/start/stop) rather than naming it in
 * {@code @WithTestResource} directly: a resource class coming straight from this test-jar is sometimes loaded by the
 * app class loader and fails Quarkus's cast (quarkusio/quarkus#43682).
 */
public class KikuInfraResource implements QuarkusTestResourceLifecycleManager {

    private boolean flushRedis;
    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        flushRedis = Boolean.parseBoolean(initArgs.getOrDefault("flushRedis", "false"));
    }

    @Override
    public Map<String, String> start() {
        RedisCluster redis = RedisCluster.shared();
        Postgres pg = Postgres.shared();
        // a failure test that died before bringing its server back must not break every later test
        for (int port : redis.ports()) {
            if (!redis.runningPorts().contains(port)) {
                redis.restartNode(port);
            }
        }
        if (!pg.isRunning()) {
            pg.start();
        }
        if (flushRedis) {
            redis.flushAll();
        }
        database = "kiku_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        pg.createDatabase(database);
        return Map.of(
                "kiku.redis.hosts", redis.hosts(),
                "kiku.db.host", pg.host(),
                "kiku.db.port", Integer.toString(pg.port()),
                "kiku.db.name", database,
                "kiku.db.username", pg.username(),
                "kiku.db.password", pg.password());
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
