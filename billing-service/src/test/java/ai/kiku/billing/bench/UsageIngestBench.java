package ai.kiku.billing.bench;

import ai.kiku.billing.BillingTestBase;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Measures billing's usage ingestion (partition streams -> PostgreSQL) end to end: records/s and the CPU
 * PostgreSQL and billing spend per 1,000 records. Not a test: its name matches no Surefire include, so
 * verify never runs it; bench/ingest/run.sh does. It asserts only that every record arrived.
 */
@QuarkusTest
@Tag("bench")
class UsageIngestBench extends BillingTestBase {

    private static final int RECORDS = Integer.getInteger("bench.records", 200_000);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20_000);
    private static final int ACCOUNTS = Integer.getInteger("bench.accounts", 128);

    @Test
    void ingestsUsageRecords() throws Exception {
        consumer.stop();
        Map<Long, Long> keys = new LinkedHashMap<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            long account = createAccount();
            keys.put(account, createKey(account, 600));
        }
        run(keys, WARMUP, "warm-up");
        String result = run(keys, RECORDS, "measured");
        Path out = Path.of(System.getProperty("bench.out", "target/ingest-bench.txt"));
        Files.writeString(out, result + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private String run(Map<Long, Long> keys, int records, String label) throws Exception {
        consumer.stop();
        long before = sqlLong("SELECT count(*) FROM usage_records");
        feed(keys, records);
        long pgPid = sqlLong("SELECT pg_backend_pid()");
        long postmaster = parentOf(pgPid);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long pgCpu0 = postgresCpuMillis(postmaster);
        long jvmCpu0 = os.getProcessCpuTime() / 1_000_000;
        long t0 = System.nanoTime();
        consumer.start();
        eventually("all usage in PostgreSQL", Duration.ofMinutes(15),
                () -> sqlLong("SELECT count(*) FROM usage_records") >= before + records);
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        long pgCpu = postgresCpuMillis(postmaster) - pgCpu0;
        long jvmCpu = os.getProcessCpuTime() / 1_000_000 - jvmCpu0;
        String line = String.format("%s records=%d elapsed_ms=%d records_per_s=%.0f pg_cpu_ms_per_1k=%.1f "
                        + "billing_cpu_ms_per_1k=%.1f", label, records, elapsedMs, records * 1000.0 / elapsedMs,
                pgCpu * 1000.0 / records, jvmCpu * 1000.0 / records);
        System.out.println("INGEST-BENCH " + line);
        return line;
    }

    /** Appends usage entries with the fields settle.lua writes, pipelined per partition stream. */
    private void feed(Map<Long, Long> keys, int records) {
        List<Long> accounts = new ArrayList<>(keys.keySet());
        Map<String, List<Request>> byStream = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < records; i++) {
            long account = accounts.get(i % accounts.size());
            String stream = KeySchema.usageLog(account);
            byStream.computeIfAbsent(stream, s -> new ArrayList<>()).add(Request.cmd(Command.XADD).arg(stream).arg("*")
                    .arg("type").arg("usage").arg("req").arg("req_" + UUID.randomUUID()).arg("acct").arg(account)
                    .arg("key").arg(keys.get(account)).arg("product").arg("llm-proxy").arg("model").arg("gpt-4o-mini")
                    .arg("in").arg(120).arg("out").arg(80).arg("cost").arg(1066).arg("late").arg(0).arg("over").arg(0)
                    .arg("ts").arg(now - (i % 7200) * 1000L));
        }
        List<Uni<List<io.vertx.mutiny.redis.client.Response>>> sends = new ArrayList<>();
        for (List<Request> requests : byStream.values()) {
            for (int from = 0; from < requests.size(); from += 1000) {
                sends.add(redis.batch(requests.subList(from, Math.min(requests.size(), from + 1000))));
            }
        }
        for (int from = 0; from < sends.size(); from += 16) {
            Uni.join().all(sends.subList(from, Math.min(sends.size(), from + 16))).andFailFast().await()
                    .atMost(Duration.ofMinutes(2));
        }
    }

    private static long parentOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** user + system CPU of the postmaster and its children (backends, and the exited ones it reaped). */
    private static long postgresCpuMillis(long postmaster) throws Exception {
        long ticks = 0;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (pid == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                                + Long.parseLong(f[14]);
                    } else if (Long.parseLong(f[1]) == postmaster) {
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (java.io.IOException | RuntimeException gone) {
                    // the process ended meanwhile: its time is in the postmaster's cutime/cstime
                }
            }
        }
        return ticks * 10; // USER_HZ = 100
    }
}
