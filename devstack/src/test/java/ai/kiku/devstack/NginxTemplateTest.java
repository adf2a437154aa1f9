package ai.kiku.devstack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deploy/nginx template run by a real nginx in front of stub instances: what nginx retries, what it
 * never replays, and how it answers the errors it makes itself. A POST that reached an instance may
 * have been charged: nginx sends one to a second api instance only with the attempt id of the first try
 * (api runs a request id once), and to the other services never.
 */
class NginxTemplateTest {

    private static final String TOKEN = "template-test-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void shouldRetryAPostOnAnotherInstanceWhenTheFirstRefusedTheConnection() throws Exception {
        List<String> served = new CopyOnWriteArrayList<>();
        int refusing = freePort(); // nothing listens: the request cannot have reached it
        int api = nginxFor("api", List.of(refusing, okStub(served)));

        for (int i = 0; i < 4; i++) {
            assertThat(post(api, "/v1/chat/completions").statusCode()).isEqualTo(200);
        }
        assertThat(served).hasSize(4);
    }

    @Test
    void shouldReplayAnApiPostThatReachedAnInstanceWhichThenDiedWithItsOneAttemptId() throws Exception {
        List<String> served = new CopyOnWriteArrayList<>();
        List<String> swallowed = new CopyOnWriteArrayList<>();
        int api = nginxFor("api", List.of(dyingInstance(swallowed), okStub(served)));

        for (int i = 0; i < 6; i++) {
            assertThat(post(api, "/v1/chat/completions").statusCode()).isEqualTo(200);
        }
        assertThat(swallowed).as("POSTs the dying instance read").isNotEmpty();
        assertThat(served).as("every POST answered by the live instance once").hasSize(6).doesNotHaveDuplicates()
                .allMatch(attempt -> attempt.matches(TOKEN + ":[0-9a-f]{32}"), "the token and nginx's $request_id");
        // api takes the attempt id as the request id, so it runs (and charges) a replayed request at most once
        assertThat(served).as("each replay carries the attempt id of the try that died").containsAll(swallowed);
    }

    @Test
    void shouldReplayAnApiPostResetUnreadInTheAcceptQueueOfAnInstanceThatStoppedListening() throws Exception {
        List<String> served = new CopyOnWriteArrayList<>();
        // an instance at the end of its drain: connections complete in the kernel's queue, nothing accepts them
        ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(closing);
        int api = nginxFor("api", List.of(closing.getLocalPort(), okStub(served)));

        CompletableFuture<HttpResponse<String>> queued = null;
        for (int i = 0; i < 4 && queued == null; i++) { // round robin: one of the first two waits in the queue
            CompletableFuture<HttpResponse<String>> call = HTTP.sendAsync(postRequest(api, "/v1/chat/completions"),
                    HttpResponse.BodyHandlers.ofString());
            try {
                assertThat(call.get(500, TimeUnit.MILLISECONDS).statusCode()).isEqualTo(200);
            } catch (TimeoutException waitingInTheQueue) {
                queued = call;
            }
        }
        assertThat(queued).as("a POST written into the closing instance's accept queue").isNotNull();
        int answeredBefore = served.size();

        closing.close(); // Linux resets every connection still queued on a listener that closes, unread

        assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).as("sent on to the live instance").isEqualTo(200);
        assertThat(served).hasSize(answeredBefore + 1).doesNotHaveDuplicates();
    }

    @Test
    void shouldNeverReplayAPostToAnotherServiceThatReachedAnInstanceWhichThenDied() throws Exception {
        List<String> served = new CopyOnWriteArrayList<>();
        List<String> swallowed = new CopyOnWriteArrayList<>();
        int webhook = nginxFor("webhook", List.of(dyingInstance(swallowed), okStub(served)));

        int failed = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = post(webhook, "/webhooks/paddle");
            if (response.statusCode() != 200) {
                failed++;
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
            }
        }
        assertThat(swallowed).as("POSTs the dying instance read").isNotEmpty();
        assertThat(failed).as("each POST it read failed; none was sent again").isEqualTo(swallowed.size());
        assertThat(served.size() + swallowed.size()).as("instances reached, in all").isEqualTo(6);
    }

    @Test
    void shouldRetryAGetThatReachedAnInstanceWhichThenDied() throws Exception {
        List<String> served = new CopyOnWriteArrayList<>();
        List<String> swallowed = new CopyOnWriteArrayList<>();
        int api = nginxFor("api", List.of(dyingInstance(swallowed), okStub(served)));

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(api, "/api/v1/balance")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200); // a GET charges nothing: safe to try elsewhere
        }
        assertThat(served).hasSize(4);
    }

    @Test
    void shouldAnswerItsOwnErrorsAsProblemsNeverAsHtml() throws Exception {
        int api = nginxFor("api", List.of());

        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(uri(api, "/api/v1/balance")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(none.body()).contains("\"status\":503").doesNotContain("<html");

        byte[] huge = new byte[25 * 1024 * 1024]; // above the chat routes' 24 MiB
        HttpResponse<String> tooLarge = HTTP.send(HttpRequest.newBuilder(uri(api, "/api/v1/proxy/llm"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(400);
        assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(tooLarge.body()).contains("https://kiku.ai/problems/body-too-large", "\"field\":\"body\"");

        byte[] large = new byte[3 * 1024 * 1024]; // above the 2 MiB of every route but chat
        HttpResponse<String> largeElsewhere = HTTP.send(HttpRequest.newBuilder(uri(api, "/api/v1/balance"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(large)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(largeElsewhere.statusCode()).isEqualTo(400);
        assertThat(largeElsewhere.body()).contains("https://kiku.ai/problems/body-too-large");
    }

    @Test
    void shouldPassAVisionSizedBodyToTheChatRoutesOnly() throws Exception {
        int api = nginxFor("api", List.of());
        byte[] vision = new byte[16 * 1024 * 1024]; // a base64 image: the service's 20 MiB chat limit decides

        for (String path : List.of("/v1/chat/completions", "/api/v1/proxy/llm")) {
            HttpResponse<String> passed = HTTP.send(HttpRequest.newBuilder(uri(api, path))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(vision)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(passed.statusCode()).as(path).isEqualTo(503); // sent on to the (absent) instances
        }
    }

    @Test
    void shouldAnswerItsOwnErrorsOnTheOpenAiPathsInOpenAisShape() throws Exception {
        int api = nginxFor("api", List.of());

        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(uri(api, "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(none.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(none.body()).contains("\"type\":\"server_error\"", "\"code\":\"unavailable\"")
                .doesNotContain("<html");

        byte[] huge = new byte[25 * 1024 * 1024]; // above the chat routes' 24 MiB
        HttpResponse<String> tooLarge = HTTP.send(HttpRequest.newBuilder(uri(api, "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(400);
        assertThat(tooLarge.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(tooLarge.body()).contains("\"param\":\"body\"", "\"code\":\"body_too_large\"");
    }

    // ------------------------------------------------------------------------------------------- set-up

    /** nginx with the template, api balanced over {@code apiInstances}; returns nginx's api port. */
    /** nginx with {@code instances} behind {@code service} (the others have none); returns that service's port. */
    private int nginxFor(String service, List<Integer> instances) throws IOException {
        Path target = Path.of(System.getProperty("basedir", ".")).resolve("target");
        NginxConfig config = new NginxConfig(NginxConfig.templateDirFrom(target), "127.0.0.1").workers("1")
                .attemptToken(TOKEN);
        int port = 0;
        List<Integer> listening = new ArrayList<>();
        for (String name : NginxConfig.SERVICES) {
            int publicPort = freePort();
            listening.add(publicPort);
            config.service(name, publicPort, name.equals(service) ? instances : List.of());
            if (name.equals(service)) {
                port = publicPort;
            }
        }
        Path prefix = target.resolve("nginx-template-test-" + port);
        open.add(Nginx.start(config, prefix, listening));
        return port;
    }

    /** An instance that answers 200 to everything and keeps the X-Kiku-Attempt of each request it got. */
    private int okStub(List<String> served) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            served.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Kiku-Attempt")));
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        open.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    /**
     * An instance that reads a whole request, then dies before answering (as under kill -9, or as a connection
     * reset unread in the accept queue of an instance that stopped listening looks to nginx), and keeps the
     * X-Kiku-Attempt of each.
     */
    private int dyingInstance(List<String> swallowed) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    String head = readRequest(socket.getInputStream());
                    if (head != null) {
                        swallowed.add(String.valueOf(header(head, "x-kiku-attempt")));
                    }
                } catch (IOException closed) {
                    // the test is over, or nginx gave up on the connection
                }
            }
        }, "dying-instance");
        acceptor.setDaemon(true);
        acceptor.start();
        open.add(server);
        return server.getLocalPort();
    }

    /** Reads one request's head and its Content-Length body; returns the head, null when the connection closed first. */
    private static String readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.toString().endsWith("\r\n\r\n")) {
                long length = 0;
                for (String line : head.toString().split("\r\n")) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                }
                in.readNBytes((int) length);
                return head.toString();
            }
        }
        return null;
    }

    private static String header(String head, String lowerCaseName) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith(lowerCaseName + ":")) {
                return line.substring(lowerCaseName.length() + 1).trim();
            }
        }
        return null;
    }

    private static HttpResponse<String> post(int port, String path) throws Exception {
        return HTTP.send(postRequest(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest postRequest(int port, String path) {
        return HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}")).build();
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
