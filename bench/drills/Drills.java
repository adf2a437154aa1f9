import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The failure drills of issue 13 against a running scaled stack (bench/drills/run.sh starts one): each drill runs
 * under steady mixed load through nginx, then the money books are checked; prints the table and writes it into
 * docs/reliability.md. Exit 1 when any drill misses its target or loses or doubles one µUSD.
 */
public final class Drills {

    /** Settings, each from a {@code --name value} argument. */
    static final class Options {
        Path root = Path.of(".").toAbsolutePath().normalize();
        int offset = Integer.parseInt(System.getenv().getOrDefault("KIKU_PORT_OFFSET", "0"));
        Set<Integer> only = new LinkedHashSet<>(List.of(1, 2, 3, 4, 5, 6));
        double rate = 150;
        int threads = 32;
        int keys = 64;
        int[] mix = {2, 1, 2};
        long steady = 5;
        long outage = 60;
        long redisAfter = 15;
        int deliveries = 1000;
        int events = 50;
        int senders = 20;
        long spread = 25;
        Path out;
        boolean write = true;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--no-write")) {
                    o.write = false;
                    continue;
                }
                String v = args[++i];
                switch (a) {
                    case "--root" -> o.root = Path.of(v).toAbsolutePath().normalize();
                    case "--offset" -> o.offset = Integer.parseInt(v);
                    case "--only" -> {
                        o.only.clear();
                        for (String s : v.split(",")) {
                            o.only.add(Integer.parseInt(s.trim()));
                        }
                    }
                    case "--rate" -> o.rate = Double.parseDouble(v);
                    case "--threads" -> o.threads = Integer.parseInt(v);
                    case "--keys" -> o.keys = Integer.parseInt(v);
                    case "--mix" -> {
                        String[] m = v.split(":");
                        o.mix = new int[]{Integer.parseInt(m[0]), Integer.parseInt(m[1]), Integer.parseInt(m[2])};
                    }
                    case "--steady" -> o.steady = Long.parseLong(v);
                    case "--outage" -> o.outage = Long.parseLong(v);
                    case "--redis-after" -> o.redisAfter = Long.parseLong(v);
                    case "--deliveries" -> o.deliveries = Integer.parseInt(v);
                    case "--events" -> o.events = Integer.parseInt(v);
                    case "--senders" -> o.senders = Integer.parseInt(v);
                    case "--spread" -> o.spread = Long.parseLong(v);
                    case "--out" -> o.out = Path.of(v).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see bench/drills/run.sh)");
                }
            }
            if (o.out == null) {
                o.out = o.root.resolve("docs/reliability.md");
            }
            return o;
        }
    }

    /** One line of the table. */
    record Row(int n, String drill, String measured, String target, boolean pass) {
    }

    /** What one drill's event measured, before the books are checked. */
    record Measured(String text, boolean pass, Map<Long, Long> credited) {
        Measured(String text, boolean pass) {
            this(text, pass, Map.of());
        }
    }

    interface Body {
        Measured run(Load load, List<Load.Key> keys) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Stack stack = new Stack(o.root, o.offset);
        for (int port : List.of(stack.api(), 8081 + o.offset, stack.webhook(), stack.billing())) {
            if (!stack.ready(port)) {
                throw new IllegalStateException("nothing ready behind nginx on port " + port + ": start the scaled stack first"
                        + " (bench/drills/run.sh does)");
            }
        }
        Books books = new Books(stack);
        Events ev = new Events(stack, o);
        List<Row> rows = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        for (int n : o.only) {
            Row row = switch (n) {
                case 1 -> drill(stack, books, o, 1, "rolling restart of all api instances", "0 failed requests", ev::restartApi);
                case 2 -> drill(stack, books, o, 2, "kill -9 of one api instance",
                        "failures ≤ calls in flight on it", ev::killApi);
                case 3 -> drill(stack, books, o, 3, "kill -9 of the Redis master with the busiest partitions",
                        "error window ≤ 15 s; drift 0", ev::killRedisMaster);
                case 4 -> drill(stack, books, o, 4, "PostgreSQL stopped for " + o.outage + " s",
                        "metered calls succeed; backlog drains; 0 usage records lost", ev::stopPostgres);
                case 5 -> drill(stack, books, o, 5, "every billing instance stopped for " + o.outage + " s",
                        "metered calls unaffected; failures 503 problem + Retry-After", ev::stopBilling);
                case 6 -> drill(stack, books, o, 6, o.deliveries + " deliveries of " + o.events + " signed Paddle events, "
                        + o.senders + " senders, during a webhook rolling restart", "exactly " + o.events + " credits",
                        ev::paddleDuringRestart);
                default -> throw new IllegalArgumentException("no drill " + n);
            };
            rows.add(row);
        }
        Report report = new Report(rows, o, System.currentTimeMillis() - t0);
        report.print();
        if (o.write) {
            report.write(o.out);
            System.out.println("written to " + o.out);
        }
        System.exit(rows.stream().allMatch(Row::pass) ? 0 : 1);
    }

    private static Row drill(Stack stack, Books books, Options o, int n, String name, String target, Body body)
            throws Exception {
        System.out.printf("%n== drill %d: %s%n", n, name);
        String tag = Long.toString(System.currentTimeMillis(), 36) + n;
        List<Load.Key> keys = books.cohort(o.keys, 100_000_000L, tag);
        Load load = new Load(keys, stack.api(), o.rate, o.threads, o.mix);
        load.start();
        Thread.sleep(o.steady * 1000);
        Measured m;
        try {
            m = body.run(load, keys);
            Thread.sleep(o.steady * 1000);
        } catch (Exception e) {
            System.out.println("  drill failed: " + e);
            m = new Measured("ERROR: " + e.getMessage(), false);
            stack.bringBack();
            stack.redis.awaitHealthy(java.time.Duration.ofSeconds(60));
        } finally {
            load.stop();
        }
        System.out.println("  load: " + load.summary());
        Map<String, String> samples = load.samples();
        load.categories().forEach((c, count) -> System.out.printf("    %6d  %s  e.g. %s%n", count, c,
                samples.get(c).length() > 160 ? samples.get(c).substring(0, 160) : samples.get(c)));
        System.out.println("  measured: " + m.text());
        long drain = books.awaitRecorded(keys, 180_000);
        System.out.println("  usage in PostgreSQL " + (drain < 0 ? "NOT complete (nothing moved for 10 s, or 180 s passed)"
                : drain + " ms after the load stopped"));
        Books.Result r = books.check(keys, m.credited());
        System.out.println("  books: " + r.line());
        boolean pass = m.pass() && r.ok() && drain >= 0;
        System.out.println("  " + (pass ? "PASS" : "FAIL"));
        String measured = m.text() + "; " + load.failures.size() + " of " + load.sentTotal() + " requests failed; books "
                + (r.ok() ? "exact (" + r.records() + " usage records" + (r.answerLost() > 0 ? ", " + r.answerLost()
                + " of calls whose answer was lost" : "") + ", drift 0)" : "NOT exact: " + r.line());
        return new Row(n, name, measured, target, pass);
    }
}
