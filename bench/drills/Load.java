import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady mixed load through nginx at a fixed rate (balance : usage : metered local-echo chat, over every key of a
 * cohort), keeping the books the invariants need: per key, the request id and charge of every successful metered
 * call; and every failure with its time, kind, status, content type and Retry-After.
 */
final class Load {

    enum Kind { BALANCE, USAGE, CHAT }

    /** One key of the cohort (one account per key, so that a balance belongs to one key's calls). */
    static final class Key {
        final long account;
        final long keyId;
        final String secret;
        final long startBalance;
        /** request id → X-Kiku-Cost-Micros of each successful metered call. */
        final Map<String, Long> charged = new ConcurrentHashMap<>();
        final LongAdder failedChats = new LongAdder();

        Key(long account, long keyId, String secret, long startBalance) {
            this.account = account;
            this.keyId = keyId;
            this.secret = secret;
            this.startBalance = startBalance;
        }
    }

    /** A request that did not succeed: when (ms since the load started), what, and how it said so. */
    record Failure(long atMillis, Kind kind, Key key, int status, String contentType, String retryAfter, String detail) {
        String category() {
            if (status == 0) {
                return kind + " " + detail.split(":")[0];
            }
            return kind + " " + status + " " + (contentType == null ? "-" : contentType.split(";")[0])
                    + (retryAfter == null ? "" : " Retry-After:" + retryAfter);
        }
    }

    private static final String CHAT_BODY = "{\"model\":\"local-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"drill\"}]}";

    final List<Key> keys;
    final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    final Map<Kind, LongAdder> ok = new ConcurrentHashMap<>();
    final Map<Kind, LongAdder> sent = new ConcurrentHashMap<>();
    private final int port;
    private final double rate;
    private final int threads;
    private final int[] mix;
    private final HttpClient http;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong nextSlot = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    private long t0;

    Load(List<Key> keys, int port, double rate, int threads, int[] mix) {
        this.keys = keys;
        this.port = port;
        this.rate = rate;
        this.threads = threads;
        this.mix = mix;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3))
                .executor(Executors.newFixedThreadPool(4)).build();
        for (Kind k : Kind.values()) {
            ok.put(k, new LongAdder());
            sent.put(k, new LongAdder());
        }
    }

    /** Milliseconds since the load started (the drills' time line). */
    long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    void start() {
        t0 = System.nanoTime();
        nextSlot.set(t0);
        running.set(true);
        long interval = (long) (1_000_000_000L / rate);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long slot = nextSlot.getAndAdd(interval);
                    long wait = slot - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (running.get()) {
                        one();
                    }
                }
            }, "load-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
    }

    /** Stops sending and waits for the calls in flight (each has a 20 s timeout). */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : workers) {
            t.join(30_000);
        }
    }

    private Kind pick() {
        int r = ThreadLocalRandom.current().nextInt(mix[0] + mix[1] + mix[2]);
        return r < mix[0] ? Kind.BALANCE : r < mix[0] + mix[1] ? Kind.USAGE : Kind.CHAT;
    }

    private void one() {
        Kind kind = pick();
        Key key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
        String path = switch (kind) {
            case BALANCE -> "/api/v1/balance";
            case USAGE -> "/api/v1/usage";
            case CHAT -> "/v1/chat/completions";
        };
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key.secret);
        b = kind == Kind.CHAT ? b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT_BODY))
                : b.GET();
        sent.get(kind).increment();
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                if (kind == Kind.CHAT) {
                    String id = r.headers().firstValue("X-Request-Id").orElse(null);
                    String cost = r.headers().firstValue("X-Kiku-Cost-Micros").orElse(null);
                    if (id == null || cost == null) {
                        fail(kind, key, 200, r, "200 without X-Request-Id or X-Kiku-Cost-Micros");
                        return;
                    }
                    key.charged.put(id, Long.parseLong(cost));
                }
                ok.get(kind).increment();
            } else {
                fail(kind, key, r.statusCode(), r, r.body());
            }
        } catch (Exception e) {
            failures.add(new Failure(now(), kind, key, 0, null, null, e.getClass().getSimpleName() + ": " + e.getMessage()));
            if (kind == Kind.CHAT) {
                key.failedChats.increment();
            }
        }
    }

    private void fail(Kind kind, Key key, int status, HttpResponse<String> r, String body) {
        String detail = body == null ? "" : body.length() > 240 ? body.substring(0, 240) : body;
        failures.add(new Failure(now(), kind, key, status, r.headers().firstValue("Content-Type").orElse(null),
                r.headers().firstValue("Retry-After").orElse(null), detail));
        if (kind == Kind.CHAT) {
            key.failedChats.increment();
        }
    }

    long sentTotal() {
        return sent.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long failedCount(Kind kind) {
        return failures.stream().filter(f -> f.kind() == kind).count();
    }

    /** Failures grouped by kind, status, content type and Retry-After (or exception), with counts. */
    Map<String, Integer> categories() {
        Map<String, Integer> out = new TreeMap<>();
        for (Failure f : failures) {
            out.merge(f.category(), 1, Integer::sum);
        }
        return out;
    }

    /** One failure's detail (the problem's body, or the exception) per category. */
    Map<String, String> samples() {
        Map<String, String> out = new TreeMap<>();
        for (Failure f : failures) {
            out.putIfAbsent(f.category(), f.detail().replace("\n", " "));
        }
        return out;
    }

    String summary() {
        return String.format("sent %d (balance %d, usage %d, chat %d); failed %d (balance %d, usage %d, chat %d)",
                sentTotal(), sent.get(Kind.BALANCE).sum(), sent.get(Kind.USAGE).sum(), sent.get(Kind.CHAT).sum(),
                failures.size(), failedCount(Kind.BALANCE), failedCount(Kind.USAGE), failedCount(Kind.CHAT));
    }
}
