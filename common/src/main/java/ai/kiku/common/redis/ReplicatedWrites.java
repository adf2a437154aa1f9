package ai.kiku.common.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * A Redis client that can report a write only once a replica has it. With asynchronous replication a primary answers
 * before its replica has the write, and a failover in between discards it: a settle the caller saw succeed would
 * vanish, charge and usage record alike. Where the client knows the topology has a replica to confirm (sentinel
 * mode), {@link #sendReplicated} answers only after {@code WAIT} says a replica acknowledged it and fails otherwise;
 * elsewhere it is a plain send. The caller retries a failure idempotently (by hold id).
 */
public interface ReplicatedWrites {

    /** Sends {@code request}; its reply is given only once a replica acknowledged the write, else a failure. */
    Future<Response> sendReplicated(Request request);
}
