package ai.kiku.billing;

import ai.kiku.common.stream.StreamClient;
import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.Resp;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Acknowledging and deleting a stream entry is one step: it never ends acknowledged yet left in the stream. */
@QuarkusTest
class StreamAckTest extends BillingTestBase {

    private static final String USER = "kiku-test-no-xdel";

    @Inject
    Vertx vertx;
    @Inject
    StreamClient streams;

    @Test
    void shouldAcknowledgeAndDeleteTogether() {
        String stream = "kiku:{p03}:ack-test:" + UUID.randomUUID();
        streams.ensureGroup(stream, "g").await().indefinitely();
        String id = redis("XADD", stream, "*", "f", "v").toString();
        assertThat(streams.read(stream, "g", "c", 10, ">").await().indefinitely()).hasSize(1);

        streams.ackAndDelete(stream, "g", List.of(id)).await().indefinitely();
        assertThat(redis("XLEN", stream).toLong()).isZero();
        assertThat(redis("XPENDING", stream, "g").get(0).toLong()).isZero();
    }

    /**
     * The second half failing (here: a Redis user that may not XDEL) must not leave the first half
     * done. Two commands in a row left the entry acknowledged, so no consumer would read it again,
     * and still in the stream, counted as backlog forever.
     */
    @Test
    void shouldLeaveTheEntryPendingWhenTheDeleteIsRefused() throws Exception {
        String stream = "kiku:{p04}:ack-test:" + UUID.randomUUID();
        streams.ensureGroup(stream, "g").await().indefinitely();
        String id = redis("XADD", stream, "*", "f", "v").toString();
        assertThat(streams.read(stream, "g", "c", 10, ">").await().indefinitely()).hasSize(1);

        List<Integer> ports = RedisCluster.shared().ports();
        for (int port : ports) {
            try (Resp node = Resp.connect(port)) {
                node.call("ACL", "SETUSER", USER, "reset", "on", ">pw", "~*", "&*", "+@all", "-xdel");
            }
        }
        Redis restricted = Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.CLUSTER)
                .setEndpoints(ports.stream().map(p -> "redis://" + USER + ":pw@127.0.0.1:" + p).toList()));
        try {
            StreamClient limited = new StreamClient(restricted);
            assertThatThrownBy(() -> limited.ackAndDelete(stream, "g", List.of(id)).await().indefinitely())
                    .as("the delete is refused").isInstanceOf(RuntimeException.class);
        } finally {
            restricted.close();
            for (int port : ports) {
                try (Resp node = Resp.connect(port)) {
                    node.call("ACL", "DELUSER", USER);
                }
            }
        }
        assertThat(redis("XPENDING", stream, "g").get(0).toLong()).as("still pending, so it is read again").isEqualTo(1);
        assertThat(redis("XLEN", stream).toLong()).isEqualTo(1);
    }
}
