package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Holds the chart's JVM options to the memory budget measured in docs/operations.md ("JVM heap budget"). */
class JvmBudgetChartTest {

    private static final long MIB = 1024L * 1024L;
    /** Measured under load (NMT): symbols, shared class space, threads, compiler arenas, NMT itself, with room. */
    private static final long OTHER_NATIVE = 40 * MIB;
    /** Measured: G1's native structures were 51 MiB for a 614 MiB heap; 10 % of the heap bounds it. */
    private static final double GC_SHARE_OF_HEAP = 0.10;

    private static Manifests defaults;

    @BeforeAll
    static void renderDefaults() {
        defaults = Chart.render();
    }

    @Test
    void shouldFitTheHeapAndEveryCappedNativeAreaUnderEachContainersMemoryLimit() {
        String opts = defaults.configData().get("JAVA_OPTS_APPEND");
        double heapShare = Double.parseDouble(flag(opts, "-XX:MaxRAMPercentage=([0-9.]+)")) / 100;
        long metaspace = size(flag(opts, "-XX:MaxMetaspaceSize=(\\w+)"));
        long codeCache = size(flag(opts, "-XX:ReservedCodeCacheSize=(\\w+)"));
        long direct = size(flag(opts, "-XX:MaxDirectMemorySize=(\\w+)"));
        assertThat(opts).contains("-XX:+ExitOnOutOfMemoryError");
        List<JsonNode> deployments = defaults.ofKind("Deployment");
        assertThat(deployments).hasSize(4);
        for (JsonNode deployment : deployments) {
            long limit = size(Manifests.container(deployment).at("/resources/limits/memory").asText());
            long heap = (long) (limit * heapShare);
            long worstCase = heap + (long) (heap * GC_SHARE_OF_HEAP) + metaspace + codeCache + direct + OTHER_NATIVE;
            // every area full at once still leaves the kernel's page cache and a margin below the OOM killer
            assertThat(worstCase).as(deployment.at("/metadata/name").asText() + " worst case vs limit %d MiB", limit / MIB)
                    .isLessThan(limit);
        }
    }

    @Test
    void shouldScaleOnMemoryOnlyWhenTheOperatorAsksForATarget() {
        assertThat(defaults.ofKind("HorizontalPodAutoscaler")).allSatisfy(hpa ->
                assertThat(hpa.at("/spec/metrics").findValuesAsText("name")).containsExactly("cpu"));
        Manifests withMemory = Chart.render("autoscaling.targetMemoryUtilizationPercentage", 150);
        JsonNode api = withMemory.get("HorizontalPodAutoscaler", "kiku-api");
        assertThat(api.at("/spec/metrics/1/resource/name").asText()).isEqualTo("memory");
        assertThat(api.at("/spec/metrics/1/resource/target/averageUtilization").asInt()).isEqualTo(150);
    }

    private static String flag(String opts, String regex) {
        Matcher m = Pattern.compile(regex).matcher(opts);
        assertThat(m.find()).as("javaOpts carry " + regex + ": " + opts).isTrue();
        return m.group(1);
    }

    /** Kubernetes quantities (Mi, Gi) and JVM sizes (m, g) in bytes. */
    private static long size(String text) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|m|g|K|M|G)?").matcher(text);
        assertThat(m.matches()).as("a size: " + text).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1).toLowerCase();
        return switch (unit) {
            case "k" -> n * 1024L;
            case "m" -> n * MIB;
            case "g" -> n * 1024L * MIB;
            default -> n;
        };
    }
}
