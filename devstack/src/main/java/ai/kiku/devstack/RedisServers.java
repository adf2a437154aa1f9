package ai.kiku.devstack;

import java.util.Map;

/**
 * A running Redis topology (cluster, standalone or Sentinel) as the services' {@code kiku.redis.*} settings see it.
 * JDK-only, like the rest of this module ({@code ./kiku} compiles it with plain javac).
 */
public interface RedisServers {

    /** cluster, standalone or sentinel: the value of {@code kiku.redis.mode}. */
    String mode();

    /** The value of {@code kiku.redis.hosts}: the cluster's nodes, the server, or the sentinels. */
    String hosts();

    /** Every {@code kiku.redis.*} setting a service needs to reach these servers. */
    Map<String, String> config();

    /** Empties every primary (replicas follow). */
    void flushAll();
}
