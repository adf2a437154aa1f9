package ai.kiku.api.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Listens on every sentinel for {@code +switch-master} of one master and tells at once, so that connections to the
 * old primary stop being used before the sentinels get round to demoting it (up to ~20 s after a failover, during
 * which the old primary would take writes its resync then discards). Every sentinel publishes the event when it
 * adopts the new primary, so a listener hears it from the first one and again from each that follows.
 * A sentinel connection that fails is opened again a second later.
 */
final class SwitchMasterWatch {

    private static final Logger LOG = Logger.getLogger(SwitchMasterWatch.class);
    private static final String CHANNEL = "+switch-master";
    private static final long RETRY_MILLIS = 1_000;

    private final Vertx vertx;
    private final RedisOptions sentinelOptions;
    private final String masterName;
    private final Runnable onSwitch;
    /** Each sentinel's current client (a fresh one per attempt: a subscribed connection is never reused). */
    private final Map<String, Redis> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** Starts watching the sentinels that {@code sentinelOptions} lists (their password and TLS are used). */
    SwitchMasterWatch(Vertx vertx, RedisOptions sentinelOptions, Runnable onSwitch) {
        this.vertx = vertx;
        this.sentinelOptions = sentinelOptions;
        this.masterName = sentinelOptions.getMasterName();
        this.onSwitch = onSwitch;
        sentinelOptions.getEndpoints().forEach(this::subscribe);
    }

    /** Whether a pushed message announces a new primary for our master. */
    boolean isSwitchOfOurMaster(Response message) {
        return message != null && message.size() >= 3
                && "message".equalsIgnoreCase(String.valueOf(message.get(0)))
                && CHANNEL.equals(String.valueOf(message.get(1)))
                && String.valueOf(message.get(2)).startsWith(masterName + " ");
    }

    private void subscribe(String endpoint) {
        if (closed) {
            return;
        }
        RedisOptions one = new RedisOptions(sentinelOptions).setType(RedisClientType.STANDALONE)
                .setEndpoints(new ArrayList<>(List.of(endpoint))).setMaxPoolSize(1);
        Redis client = Redis.createClient(vertx, one);
        Redis previous = clients.put(endpoint, client);
        if (previous != null) {
            previous.close();
        }
        AtomicBoolean retried = new AtomicBoolean();
        Runnable again = () -> {
            if (retried.compareAndSet(false, true) && !closed) {
                // a switch missed meanwhile is still caught: the old primary refuses writes (min-replicas-to-write)
                // and that refusal marks the pinned connection broken too
                vertx.setTimer(RETRY_MILLIS, t -> subscribe(endpoint));
            }
        };
        client.connect().onSuccess(connection -> {
            connection.handler(message -> {
                if (isSwitchOfOurMaster(message)) {
                    LOG.infof("Sentinel %s: +switch-master %s; the pinned connections reconnect", endpoint,
                            message.get(2));
                    onSwitch.run();
                }
            });
            connection.exceptionHandler(e -> again.run());
            connection.endHandler(v -> again.run());
            connection.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL)).onFailure(e -> again.run());
        }).onFailure(e -> {
            LOG.debugf("Sentinel %s not reachable for %s (%s); trying again", endpoint, CHANNEL, e.toString());
            again.run();
        });
    }

    void close() {
        closed = true;
        clients.values().forEach(Redis::close);
    }
}
