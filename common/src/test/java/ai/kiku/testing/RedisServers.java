package ai.kiku.testing;

import ai.kiku.common.redis.RedisSettings;

import java.util.Map;

/** A running Redis topology (cluster, standalone or Sentinel) as the services' {@code kiku.redis.*} settings see it. */
public interface RedisServers {

    /** cluster, standalone or sentinel: the value of {@code kiku.redis.mode}. */
    String mode();

    /** The value of {@code kiku.redis.hosts}: the cluster's nodes, the server, or the sentinels. */
    String hosts();

    /** Every {@code kiku.redis.*} setting a service needs to reach these servers. */
    Map<String, String> config();

    /** The same settings as a service reads them. */
    default RedisSettings settings() {
        return RedisSettings.from(name -> java.util.Optional.ofNullable(config().get(name)));
    }

    /** Empties every primary (replicas follow). */
    void flushAll();
}
