import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The drills' table: printed, and written between marker comments into docs/reliability.md (prose around it stays). */
final class Report {

    static final String BEGIN = "<!-- drills:begin (written by bench/drills/run.sh) -->";
    static final String END = "<!-- drills:end -->";

    private final List<Drills.Row> rows;
    private final Drills.Options o;
    private final long tookMillis;

    Report(List<Drills.Row> rows, Drills.Options o, long tookMillis) {
        this.rows = rows;
        this.o = o;
        this.tookMillis = tookMillis;
    }

    void print() {
        System.out.println();
        System.out.println(table());
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("Run ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
                .append(" on ").append(machine()).append(", commit ").append(commit()).append(", in ")
                .append(tookMillis / 60_000).append(" min ").append(tookMillis / 1000 % 60).append(" s.\n");
        sb.append(String.format("Load: %.0f requests/s through nginx (balance : usage : metered chat = %d : %d : %d) from %d"
                        + " threads over %d keys (one account each), %d s steady before and after each event; outages %d s.%n%n",
                o.rate, o.mix[0], o.mix[1], o.mix[2], o.threads, o.keys, o.steady, o.outage));
        sb.append("| # | drill | measured | target | pass |\n|---|---|---|---|---|\n");
        for (Drills.Row r : rows) {
            sb.append("| ").append(r.n()).append(" | ").append(r.drill()).append(" | ").append(r.measured().replace("|", "\\|"))
                    .append(" | ").append(r.target()).append(" | ").append(r.pass() ? "yes" : "**no**").append(" |\n");
        }
        return sb.toString();
    }

    void write(Path out) throws IOException {
        String block = BEGIN + "\n" + table() + END;
        String doc;
        if (Files.exists(out)) {
            String old = Files.readString(out);
            int b = old.indexOf(BEGIN);
            int e = old.indexOf(END);
            doc = b >= 0 && e > b ? old.substring(0, b) + block + old.substring(e + END.length())
                    : old + "\n" + block + "\n";
        } else {
            doc = "# Reliability: failure drills\n\n" + block + "\n";
        }
        Files.writeString(out, doc);
    }

    private static String machine() {
        int cores = Runtime.getRuntime().availableProcessors();
        String cpu = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
        } catch (IOException ignored) {
            // not Linux
        }
        long memGb = Math.round(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize() / 1e9);
        return cores + " cores" + (cpu.isEmpty() ? "" : " (" + cpu + ")") + ", " + memGb + " GB";
    }

    private String commit() {
        try {
            Process p = new ProcessBuilder("git", "-C", o.root.toString(), "rev-parse", "--short", "HEAD").start();
            String c = new String(p.getInputStream().readAllBytes()).trim();
            return c.isEmpty() ? "?" : c;
        } catch (IOException e) {
            return "?";
        }
    }
}
