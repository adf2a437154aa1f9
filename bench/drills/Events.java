import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What each drill does to the stack while the load runs, and what it measures of it. */
final class Events {

    private static final DateTimeFormatter NGINX_TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");

    private final Stack stack;
    private final Drills.Options o;

    Events(Stack stack, Drills.Options o) {
        this.stack = stack;
        this.o = o;
    }

    // 1 ---------------------------------------------------------------------------------------------------------
    Drills.Measured restartApi(Load load, List<Load.Key> keys) throws Exception {
        long t = load.now();
        stack.kikuAndWait("restart", "api");
        long took = load.now() - t;
        int failed = load.failures.size();
        return new Drills.Measured(String.format("%d failed requests (%d metered) during a %.0f s rolling restart of %d api"
                + " instances", failed, load.failedCount(Load.Kind.CHAT), took / 1000.0, stack.count("api-service")), failed == 0);
    }

    // 2 ---------------------------------------------------------------------------------------------------------
    Drills.Measured killApi(Load load, List<Load.Key> keys) throws Exception {
        int index = stack.count("api-service") > 1 ? 1 : 0;
        String instance = Stack.instanceName("api-service", index);
        int port = stack.instancePort(stack.api(), index);
        Path errorLog = stack.nginxLog("error.log");
        long from = Files.exists(errorLog) ? Files.size(errorLog) : 0;
        long pid = stack.pid(instance);
        long killedAt = System.currentTimeMillis();
        long tk = load.now();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Thread.sleep(Math.max(10, o.steady * 2) * 1000);
        List<String> lines = tail(errorLog, from).stream().filter(l -> l.contains("127.0.0.1:" + port)).toList();
        // [error] lines: a request nginx had sent to it and lost (reset, closed), or a connect it refused (nothing sent,
        // nginx tries the next instance); [warn] "temporarily disabled": nginx takes it out for fail_timeout
        List<String> refused = lines.stream().filter(l -> l.contains("[error]") && l.contains("Connection refused")).toList();
        List<String> sent = lines.stream().filter(l -> l.contains("[error]") && !l.contains("Connection refused")).toList();
        long disabled = lines.stream().filter(l -> l.contains("temporarily disabled")).mapToLong(Events::at).min().orElse(-1);
        List<Load.Failure> failures = load.failures.stream().filter(f -> f.atMillis() >= tk).toList();
        long lastFailure = failures.stream().mapToLong(Load.Failure::atMillis).max().orElse(tk) - tk;
        long t = load.now();
        stack.bringBack();
        long back = load.now() - t;
        sent.stream().limit(3).forEach(l -> System.out.println("    nginx: " + l));
        String text = String.format("%d failed, %d calls were in flight on it (nginx error.log: reset or closed while"
                        + " reading the answer); last failure +%d ms; nginx took it out +%s s after the kill (error.log, 1 s"
                        + " resolution), then sent only %d probe connects (refused, each retried on a live instance); back"
                        + " in %.0f s", failures.size(), sent.size(), lastFailure, seconds(disabled, killedAt), refused.size(),
                back / 1000.0);
        return new Drills.Measured(text, failures.size() <= sent.size());
    }

    // 3 ---------------------------------------------------------------------------------------------------------
    Drills.Measured killRedisMaster(Load load, List<Load.Key> keys) throws Exception {
        Map<Integer, Integer> partitionsByMaster = new TreeMap<>();
        Map<Integer, Integer> slotOfMaster = new HashMap<>();
        for (Load.Key k : keys) {
            String stream = String.format("kiku:{p%02d}:usage", k.account % 64);
            int master = stack.redis.masterPortForKey(stream);
            partitionsByMaster.merge(master, 1, Integer::sum);
            slotOfMaster.putIfAbsent(master, ai.kiku.devstack.RedisCluster.slotOf(stream));
        }
        int victim = partitionsByMaster.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        int slot = slotOfMaster.get(victim);
        System.out.println("  keys per master " + partitionsByMaster + ": killing " + victim);
        long tk = load.now();
        stack.redis.killNode(victim);
        long promoted = -1;
        while (load.now() - tk < 60_000) {
            try {
                if (stack.redis.masterPortForSlot(slot) != victim) {
                    promoted = load.now() - tk;
                    break;
                }
            } catch (RuntimeException e) {
                // no running node could answer yet
            }
            Thread.sleep(100);
        }
        Thread.sleep(o.redisAfter * 1000);
        List<Load.Failure> failures = load.failures.stream().filter(f -> f.atMillis() >= tk).toList();
        long first = failures.stream().mapToLong(Load.Failure::atMillis).min().orElse(tk) - tk;
        long last = failures.stream().mapToLong(Load.Failure::atMillis).max().orElse(tk) - tk;
        long t = load.now();
        stack.redis.restartNode(victim);
        long back = load.now() - t;
        boolean replica = stack.redis.replicaPorts().contains(victim);
        long window = failures.isEmpty() ? 0 : last;
        String text = String.format("%d failed (%d metered), errors from +%.1f s to +%.1f s: window %.1f s; replica promoted"
                        + " +%.1f s (cluster-node-timeout 5 s); killed node back as %s in %.0f s",
                failures.size(), failures.stream().filter(f -> f.kind() == Load.Kind.CHAT).count(), first / 1000.0,
                last / 1000.0, window / 1000.0, promoted / 1000.0, replica ? "a replica" : "A MASTER", back / 1000.0);
        return new Drills.Measured(text, promoted >= 0 && window <= 15_000 && replica);
    }

    // 4 ---------------------------------------------------------------------------------------------------------
    Drills.Measured stopPostgres(Load load, List<Load.Key> keys) throws Exception {
        long baseline = 0;
        for (int i = 0; i < 3; i++) {
            baseline = Math.max(baseline, stack.usageBacklog());
            Thread.sleep(300);
        }
        long chatsBefore = load.failedCount(Load.Kind.CHAT);
        long tk = load.now();
        stack.pg.stop();
        long peak = 0;
        while (load.now() - tk < o.outage * 1000) {
            peak = Math.max(peak, stack.usageBacklog());
            Thread.sleep(1000);
        }
        peak = Math.max(peak, stack.usageBacklog());
        stack.pg.start();
        long ts = load.now();
        long drained = -1;
        while (load.now() - ts < 120_000) {
            if (stack.usageBacklog() <= Math.max(baseline, 50)) {
                drained = load.now() - ts;
                break;
            }
            Thread.sleep(250);
        }
        long chatFailed = load.failedCount(Load.Kind.CHAT) - chatsBefore;
        String text = String.format("%d metered calls failed; usage backlog %d before, peak %d, back to ≤ %d %s after"
                        + " PostgreSQL returned", chatFailed, baseline, peak, Math.max(baseline, 50),
                drained < 0 ? "NOT within 120 s" : String.format("%.1f s", drained / 1000.0));
        return new Drills.Measured(text, chatFailed == 0 && drained >= 0 && peak > baseline);
    }

    // 5 ---------------------------------------------------------------------------------------------------------
    Drills.Measured stopBilling(Load load, List<Load.Key> keys) throws Exception {
        int n = stack.count("billing-service");
        List<ProcessHandle> procs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ProcessHandle.of(stack.pid(Stack.instanceName("billing-service", i))).ifPresent(procs::add);
        }
        long tk = load.now();
        procs.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : procs) {
            p.onExit().get(90, TimeUnit.SECONDS);
        }
        long down = load.now();
        Thread.sleep(o.outage * 1000);
        long t = load.now();
        stack.bringBack();
        long back = load.now() - t;
        List<Load.Failure> failures = load.failures.stream().filter(f -> f.atMillis() >= tk).toList();
        long chats = failures.stream().filter(f -> f.kind() == Load.Kind.CHAT).count();
        List<Load.Failure> odd = failures.stream().filter(f -> f.status() != 503 || f.retryAfter() == null
                || f.contentType() == null || !f.contentType().startsWith("application/problem+json")).toList();
        String how = failures.stream().collect(Collectors.groupingBy(Load.Failure::category, TreeMap::new, Collectors.counting()))
                .toString();
        odd.stream().limit(3).forEach(f -> System.out.println("    not a 503 problem: " + f));
        String text = String.format("%d metered calls failed; %d other requests failed: %s; billing down %.0f s (stopping"
                + " took %.0f s), back in %.0f s", chats, failures.size() - chats, how, (t - down) / 1000.0,
                (down - tk) / 1000.0, back / 1000.0);
        return new Drills.Measured(text, chats == 0 && odd.isEmpty());
    }

    // 6 ---------------------------------------------------------------------------------------------------------
    Drills.Measured paddleDuringRestart(Load load, List<Load.Key> keys) throws Exception {
        String catalogue = stack.admin("GET", "/admin/v1/catalogue", null);
        Matcher m = Pattern.compile("\\{\"paddlePriceId\":\"([^\"]+)\"[^}]*?\"creditsMicros\":(\\d+)").matcher(catalogue);
        if (!m.find()) {
            throw new IllegalStateException("no credit pack in the catalogue: " + catalogue);
        }
        String priceId = m.group(1);
        long credits = Long.parseLong(m.group(2));
        String tag = Long.toString(System.currentTimeMillis(), 36);
        List<Paddle.Event> events = Paddle.events(o.events, keys, priceId, tag);
        Paddle paddle = new Paddle(stack.paddleSecret, stack.webhook());
        long t = load.now();
        Process restart = stack.kiku("restart", "webhook");
        paddle.deliver(events, o.deliveries / o.events, o.senders, o.spread * 1000);
        boolean restarted = restart.waitFor(5, TimeUnit.MINUTES) && restart.exitValue() == 0;
        long took = load.now() - t;
        String refs = events.stream().map(e -> "'" + e.transactionId() + "'").collect(Collectors.joining(","));
        Map<Long, Long> credited = new HashMap<>();
        long booked = 0, sum = 0;
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            credited.clear();
            booked = 0;
            sum = 0;
            for (List<String> row : stack.sql("SELECT account_id, count(*), sum(amount_micros) FROM ledger_entries WHERE kind ="
                    + " 'payment' AND external_ref IN (" + refs + ") GROUP BY account_id")) {
                credited.put(Long.parseLong(row.get(0)), Long.parseLong(row.get(2)));
                booked += Long.parseLong(row.get(1));
                sum += Long.parseLong(row.get(2));
            }
            String pending = stack.sql("SELECT count(*) FROM paddle_events WHERE status NOT IN ('processed') AND event_id IN ("
                    + events.stream().map(e -> "'" + e.eventId() + "'").collect(Collectors.joining(",")) + ")").get(0).get(0);
            if (booked >= o.events && "0".equals(pending)) {
                break;
            }
            Thread.sleep(1000);
        }
        String text = String.format("%d credits booked (%d µUSD) for %d distinct events; %d deliveries: %s; the restart took"
                        + " %.0f s%s", booked, sum, o.events, paddle.delivered.sum(), paddle.outcomes, took / 1000.0,
                restarted ? "" : " and FAILED");
        return new Drills.Measured(text, booked == o.events && sum == credits * o.events && restarted, credited);
    }

    // ----------------------------------------------------------------------------------------------------------

    /** Lines appended to a log since byte offset {@code from}. */
    private static List<String> tail(Path file, long from) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(Math.min(from, f.length()));
            byte[] rest = new byte[(int) (f.length() - f.getFilePointer())];
            f.readFully(rest);
            return new String(rest, StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Epoch ms of an nginx error.log line (local time, whole seconds). */
    private static long at(String line) {
        try {
            return LocalDateTime.parse(line.substring(0, 19), NGINX_TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String seconds(long epochMillis, long since) {
        if (epochMillis < 0) {
            return "-";
        }
        return Long.toString(Math.max(0, (epochMillis - since / 1000 * 1000) / 1000));
    }
}
