package ai.kiku.common.lifecycle;

import ai.kiku.testing.RawHttp.Answer;
import ai.kiku.testing.RawHttp.Connection;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.SocketException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the Vert.x internals {@link ListenerCloser} reaches into: on a server shared by several
 * verticles, as Quarkus runs it, closing the listener refuses new connections while an accepted
 * connection keeps serving and a response in progress ends whole, and the accepted connections still open are
 * counted. Fails when a Vert.x upgrade moves them.
 */
class ListenerCloserTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    private static final String SLOW = "GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private Vertx vertx;
    private int port;
    private final CompletableFuture<Void> slowStarted = new CompletableFuture<>();

    @BeforeEach
    void serve() throws Exception {
        vertx = Vertx.vertx();
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                vertx.createHttpServer().requestHandler(request -> {
                    if (request.path().equals("/slow")) {
                        request.response().setChunked(true).write("first\n");
                        slowStarted.complete(null);
                        vertx.setTimer(1_000, id -> request.response().end("last\n"));
                    } else {
                        request.response().end("ok");
                    }
                }).listen(port, "127.0.0.1").<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(2)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRefuseNewConnectionsWhileAcceptedOnesAndResponsesInProgressCarryOn() throws Exception {
        assertThat(ListenerCloser.listeningChannels(vertx)).as("one listener for both verticles").hasSize(1);
        try (Connection kept = Connection.open(port); Connection streaming = Connection.open(port)) {
            assertThat(kept.exchange(GET).status()).isEqualTo(200);
            CompletableFuture<Answer> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return streaming.exchange(SLOW);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            slowStarted.get(10, TimeUnit.SECONDS);

            assertThat(ListenerCloser.closeListeners(vertx)).isTrue();

            assertThat(refusedWithin(2_000)).as("a new connection is refused").isTrue();
            assertThat(ListenerCloser.listeningChannels(vertx)).isEmpty();
            assertThat(kept.exchange(GET).status()).as("an accepted connection still serves").isEqualTo(200);
            Answer streamed = slow.get(10, TimeUnit.SECONDS);
            assertThat(streamed.status()).isEqualTo(200);
            assertThat(streamed.text()).contains("first\n").contains("last\n");
        }
    }

    @Test
    void shouldCountTheAcceptedConnectionsStillOpenAfterTheListenerClosed() throws Exception {
        IntSupplier open = ListenerCloser.openConnections(vertx);
        try (Connection first = Connection.open(port); Connection second = Connection.open(port)) {
            assertThat(first.exchange(GET).status()).isEqualTo(200);
            assertThat(second.exchange(GET).status()).isEqualTo(200);
            assertThat(open.getAsInt()).isEqualTo(2);

            assertThat(ListenerCloser.closeListeners(vertx)).isTrue();
            assertThat(refusedWithin(2_000)).isTrue();
            // (the probes of refusedWithin that got in before the close leave the count once the server sees them close)
            assertThat(countWithin(open, 2, 5_000)).as("still counted once the listener is gone: %d", open.getAsInt())
                    .isTrue();

            first.close();
            assertThat(countWithin(open, 1, 5_000)).as("a connection the client closed leaves the count").isTrue();
        }
        assertThat(countWithin(open, 0, 5_000)).isTrue();
    }

    @Test
    void shouldReportThatNothingWasClosedWhenNoServerListens() throws Exception {
        Vertx bare = Vertx.vertx();
        try {
            assertThat(ListenerCloser.closeListeners(bare)).isFalse();
        } finally {
            bare.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean countWithin(IntSupplier open, int expected, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (open.getAsInt() != expected) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private boolean refusedWithin(long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            try (Connection ignored = Connection.open(port)) {
                Thread.sleep(20);
            } catch (ConnectException refused) {
                return true;
            } catch (SocketException reset) {
                // A probe that connected in the instant the listener closed is reset with the accept queue
                // (the race a balancer's retry covers); the next probe finds the port closed.
            }
        }
        return false;
    }
}
