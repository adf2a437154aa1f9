package ai.kiku.api.redis;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Sentinel mode's confirmation that a write reached the replica ({@code WAIT 1}), for the pinned client. The writes one
 * event-loop turn sends on a connection share one {@code WAIT} sent after them (it covers every earlier write of the
 * connection), so a pipelined batch waits for one replica round trip, and a replica that is gone stalls a connection
 * for one timeout per batch rather than per write.
 */
final class ReplicaConfirm {

    /**
     * How long a write waits for the replica. A healthy replica on the same network acknowledges within a millisecond;
     * past this the write is reported failed (the caller retries it by hold id, and finds it done if it stayed).
     */
    static final long TIMEOUT_MILLIS = 250;

    private ReplicaConfirm() {
    }

    /** The writes of one turn on one connection, confirmed together. */
    static final class Group {
        private final Promise<Void> confirmed = Promise.promise();

        /** {@code reply}, once this group's {@code WAIT} confirmed it. */
        Future<Response> confirm(Future<Response> reply) {
            return reply.compose(r -> confirmed.future().map(v -> r));
        }

        /** Completes the group with the answer to its {@code WAIT}. */
        void waited(AsyncResult<Response> acknowledged) {
            if (acknowledged.succeeded() && acknowledged.result() != null && acknowledged.result().toInteger() >= 1) {
                confirmed.tryComplete();
            } else {
                confirmed.tryFail(notReplicated(acknowledged.failed() ? acknowledged.cause().toString() : "no replica"));
            }
        }
    }

    static Request waitRequest() {
        return Request.cmd(Command.WAIT).arg(1).arg(TIMEOUT_MILLIS);
    }

    /** A write over the shared pooled client: the write and its {@code WAIT} on one leased connection. */
    static Future<Response> onShared(Redis shared, Request request) {
        return shared.connect().compose(connection -> {
            Group group = new Group();
            Future<Response> reply = connection.send(request);
            connection.send(waitRequest()).onComplete(group::waited).onComplete(done -> connection.close());
            return group.confirm(reply);
        });
    }

    private static Throwable notReplicated(String why) {
        return new IllegalStateException("NOTREPLICATED no replica acknowledged the write within " + TIMEOUT_MILLIS
                + " ms (" + why + "); it may or may not have been applied: retry it by its id");
    }
}
