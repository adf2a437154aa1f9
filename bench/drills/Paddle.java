import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Paddle as the drills play it: distinct {@code transaction.completed} events, each delivered many times by
 * concurrent senders, each delivery signed when it is sent ({@code Paddle-Signature: ts=…;h1=HMAC-SHA256(secret,
 * ts + ":" + body)}) with the stack's endpoint secret.
 */
final class Paddle {

    /** One event: its ids, the account it credits and its body. */
    record Event(String eventId, String transactionId, long account, byte[] body) {
    }

    final Map<String, Integer> outcomes = new TreeMap<>();
    final LongAdder delivered = new LongAdder();
    private final String secret;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    Paddle(String secret, int port) {
        this.secret = secret;
        this.port = port;
    }

    static List<Event> events(int n, List<Load.Key> keys, String priceId, String tag) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String txn = "txn_drill" + tag + "x" + i;
            String evt = "evt_drill" + tag + "x" + i;
            long account = keys.get(i % keys.size()).account;
            String now = Instant.now().toString();
            String body = "{\"event_id\":\"" + evt + "\",\"event_type\":\"transaction.completed\",\"occurred_at\":\"" + now
                    + "\",\"notification_id\":\"ntf_drill" + tag + "x" + i + "\",\"data\":{\"id\":\"" + txn
                    + "\",\"status\":\"completed\",\"currency_code\":\"USD\",\"custom_data\":{\"kiku_account_id\":\"" + account
                    + "\"},\"items\":[{\"price\":{\"id\":\"" + priceId + "\"},\"quantity\":1}],\"details\":{\"line_items\":[{\"id\":"
                    + "\"txnitm_drill" + tag + "x" + i + "\",\"price_id\":\"" + priceId + "\",\"quantity\":1,\"totals\":{\"total\":\"500\"}}]}}}";
            out.add(new Event(evt, txn, account, body.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /**
     * Delivers every event {@code copies} times, shuffled, from {@code senders} threads, spread over {@code spreadMillis}.
     * Returns when every delivery has been answered (or failed).
     */
    void deliver(List<Event> events, int copies, int senders, long spreadMillis) throws InterruptedException {
        List<Event> queue = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            queue.addAll(events);
        }
        Collections.shuffle(queue);
        ConcurrentLinkedQueue<Event> work = new ConcurrentLinkedQueue<>(queue);
        long start = System.nanoTime();
        long gapNanos = spreadMillis * 1_000_000L / Math.max(1, queue.size());
        AtomicInteger taken = new AtomicInteger();
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Thread t = new Thread(() -> {
                Event e;
                while ((e = work.poll()) != null) {
                    long due = start + taken.getAndIncrement() * gapNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                    counts.merge(send(e), 1, Integer::sum);
                    delivered.increment();
                }
            }, "paddle-" + s);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        outcomes.putAll(counts);
    }

    private String send(Event e) {
        long ts = Instant.now().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/paddle"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .header("Paddle-Signature", "ts=" + ts + ";h1=" + hmac(ts, e.body()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(e.body())).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2 ? "2xx" : r.statusCode() + " " + r.headers().firstValue("Content-Type")
                    .orElse("-").split(";")[0] + r.headers().firstValue("Retry-After").map(v -> " Retry-After:" + v).orElse("");
        } catch (Exception ex) {
            return ex.getClass().getSimpleName();
        }
    }

    private String hmac(long ts, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((ts + ":").getBytes(StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
