package ai.kiku.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Prometheus series the services export, read from their Micrometer meters in the sources (Counter, Gauge,
 * Timer builders and registry.counter/gauge), named as Micrometer's Prometheus registry names them.
 */
final class MetricCatalogue {

    static final Path SOURCES = Path.of(System.getProperty("kiku.sources.dir", "..")).toAbsolutePath().normalize();

    /** Series of other exporters the alerts use: cAdvisor, kube-state-metrics and oliver006/redis_exporter. */
    static final Set<String> EXTERNAL = Set.of("container_cpu_usage_seconds_total", "container_memory_working_set_bytes",
            "kube_pod_container_resource_limits", "redis_memory_used_bytes", "redis_memory_max_bytes");

    private static final Pattern METER = Pattern.compile(
            "(Counter|Gauge|Timer|DistributionSummary)\\.builder\\(\"([a-z0-9.]+)\"|registry\\.(counter|gauge|timer)\\(\"([a-z0-9.]+)\"");

    /** A series name in PromQL: a prefix of ours or of the exporters above. */
    static final Pattern SERIES = Pattern.compile("\\b(?:api|kiku|container|kube|redis)_[a-z0-9_]+\\b");

    private MetricCatalogue() {
    }

    static Set<String> exported() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
                    .forEach(f -> {
                        Matcher m = METER.matcher(read(f));
                        while (m.find()) {
                            String type = m.group(1) != null ? m.group(1) : m.group(3);
                            String name = (m.group(2) != null ? m.group(2) : m.group(4)).replace('.', '_');
                            switch (type.toLowerCase()) {
                                case "counter" -> names.add(name + "_total");
                                case "timer" -> {
                                    names.add(name + "_seconds_bucket");
                                    names.add(name + "_seconds_count");
                                    names.add(name + "_seconds_sum");
                                }
                                case "distributionsummary" -> {
                                    names.add(name + "_bucket");
                                    names.add(name + "_count");
                                    names.add(name + "_sum");
                                }
                                default -> names.add(name);
                            }
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** The series a PromQL text refers to. */
    static Set<String> referenced(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = SERIES.matcher(promql);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
