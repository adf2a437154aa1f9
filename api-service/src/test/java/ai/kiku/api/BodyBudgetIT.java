package ai.kiku.api;

import ai.kiku.api.support.PackagedInstances;
import ai.kiku.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack the body budget exists for, on a packaged instance with a 256 MiB heap (as {@code ./kiku up --scale}
 * runs them): forty concurrent keyless uploads of the full 20 MiB chat limit. Unbounded, they are buffered at once
 * (800 MiB) and the heap runs out; with the budget, those that do not fit get 503 unread and the instance lives on.
 */
class BodyBudgetIT {

    private static final int UPLOADS = 40;
    private static final int SIZE = 20 * 1024 * 1024;
    /** One body for every upload: the test's own heap must not hold forty of them. */
    private static final byte[] BODY = body();

    @Test
    void shouldSurviveFortyConcurrentKeylessMaxSizeUploadsOnA256MibHeap() throws Exception {
        try (PackagedInstances instance = PackagedInstances.start("body-budget-it", 1,
                i -> budget())) {
            int port = instance.port(0);
            ExecutorService pool = Executors.newFixedThreadPool(UPLOADS * 2);
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> upload(port, pool), pool));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<Integer> answer : answers) {
                statuses.merge(answer.get(120, TimeUnit.SECONDS), 1, Integer::sum);
            }
            pool.shutdownNow();
            System.out.println("body-budget-it: answers by status " + statuses);
            String log = Files.readString(Path.of(System.getProperty("basedir", "."), "target/body-budget-it-0.log"));

            assertThat(log).as("statuses %s", statuses).doesNotContain("OutOfMemoryError");
            assertThat(instance.process(0).isAlive()).isTrue();
            assertThat(RawHttp.exchange(port, "GET /api/v1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .status()).isEqualTo(200);
            assertThat(statuses.getOrDefault(503, 0)).as("statuses %s", statuses).isPositive();
            assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(401, 503);
        }
    }

    /** The default budget (an eighth of the heap), unless {@code -Dit.body-budget} sets one (a huge one: none). */
    private static Map<String, String> budget() {
        String bytes = System.getProperty("it.body-budget");
        return bytes == null ? Map.of() : Map.of("kiku.api.body-budget-bytes", bytes);
    }

    /** Sends one keyless 20 MiB upload and reads its status (-1 when the connection broke without one). */
    private static int upload(int port, ExecutorService pool) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(90_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + SIZE + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            pool.execute(() -> {
                try {
                    for (int sent = 0; sent < SIZE; sent += 64 * 1024) {
                        out.write(BODY, sent, Math.min(64 * 1024, SIZE - sent));
                    }
                    out.flush();
                } catch (IOException refused) {
                    // the gateway closed the connection after its answer
                }
            });
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (head.size() < 12) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                head.write(b);
            }
            return Integer.parseInt(head.toString(StandardCharsets.ISO_8859_1).substring(9, 12));
        } catch (IOException e) {
            return -1;
        }
    }

    private static byte[] body() {
        byte[] json = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[SIZE];
        Arrays.fill(body, (byte) ' ');
        System.arraycopy(json, 0, body, 0, json.length);
        return body;
    }
}
