package ai.kiku.billing.service;

import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.redis.KeySchema;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Appends durable events for the bot to {@code kiku:notify}. Ids are derived from the fact they
 * report, so a redelivered or re-published event is dropped by the consumer.
 */
@ApplicationScoped
public class NotifyPublisher {

    /** The stream is trimmed (approximately) to this many entries; the bot reads far faster. */
    static final int MAX_LEN = 100_000;

    private final Redis redis;

    public NotifyPublisher(Redis redis) {
        this.redis = redis;
    }

    public Uni<String> publish(NotifyEvent event) {
        Request xadd = Request.cmd(Command.XADD).arg(KeySchema.NOTIFY_STREAM).arg("MAXLEN").arg("~").arg(MAX_LEN)
                .arg("*");
        event.toFields().forEach((k, v) -> xadd.arg(k).arg(v));
        return redis.send(xadd).map(r -> r.toString());
    }
}
