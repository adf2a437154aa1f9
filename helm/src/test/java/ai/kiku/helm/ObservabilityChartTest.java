package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** ServiceMonitor, PrometheusRule (the rules promtool tests) and the Grafana dashboard, and what they query. */
class ObservabilityChartTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ALERTS = Chart.DIR.resolve("files/alerts.yaml");
    private static final Path DASHBOARD = Chart.DIR.resolve("files/dashboard.json");
    private static final Path PROMTOOL_TESTS = Path.of(System.getProperty("kiku.promtool.tests",
            "src/test/promtool/alerts-test.yaml"));

    private static Manifests monitored;

    @BeforeAll
    static void render() {
        monitored = Chart.render("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true,
                "metrics.grafanaDashboard.enabled", true, "metrics.prometheusRule.labels.release", "prom");
    }

    @Test
    void shouldRenderNoMonitoringObjectsByDefault() {
        Manifests defaults = Chart.render();

        assertThat(defaults.ofKind("ServiceMonitor")).isEmpty();
        assertThat(defaults.ofKind("PrometheusRule")).isEmpty();
        assertThat(defaults.find("ConfigMap", "kiku-dashboard")).isEmpty();
    }

    @Test
    void shouldScrapeQMetricsOfEveryServiceThroughItsService() {
        ServiceMonitor monitor = (ServiceMonitor) StrictModel.parse(monitored.get("ServiceMonitor", "kiku"));

        Map<String, String> selector = monitor.getSpec().getSelector().getMatchLabels();
        assertThat(monitored.ofKind("Service")).hasSize(4).allSatisfy(service -> {
            Map<String, String> labels = YAML.convertValue(service.at("/metadata/labels"), Map.class);
            assertThat(labels).containsAllEntriesOf(selector);
        });
        assertThat(monitor.getSpec().getNamespaceSelector().getMatchNames()).containsExactly(Chart.NAMESPACE);
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getPort()).isEqualTo("http");
            assertThat(e.getPath()).isEqualTo("/q/metrics");
        });
    }

    /** The PrometheusRule carries files/alerts.yaml unchanged: the rules promtool tests are the rules shipped. */
    @Test
    void shouldShipExactlyTheRulesOfFilesAlertsYaml() throws IOException {
        JsonNode rule = monitored.get("PrometheusRule", "kiku");
        PrometheusRule parsed = (PrometheusRule) StrictModel.parse(rule);

        assertThat(rule.path("spec")).isEqualTo(YAML.readTree(ALERTS.toFile()));
        assertThat(parsed.getMetadata().getLabels()).containsEntry("release", "prom");
        List<String> alerts = parsed.getSpec().getGroups().stream().flatMap(g -> g.getRules().stream())
                .map(Rule::getAlert).collect(Collectors.toList());
        assertThat(alerts).containsExactlyInAnyOrder("KikuApiLatencyP99High", "KikuApiErrorRateHigh", "KikuCpuHigh",
                "KikuMemoryHigh", "KikuRedisMemoryHigh", "KikuReconciliationDrift", "KikuUsageBacklogGrowing",
                "KikuUsageDeadLettered", "KikuUsageDeadUnbooked", "KikuJobsDeadLettered", "KikuWebhookDeadLettered", "KikuWebhookAlert",
                "KikuOverage", "KikuCircuitOpen", "KikuLateSettles", "KikuSettleFailures");
        String operations = Files.readString(MetricCatalogue.SOURCES.resolve("docs/operations.md"));
        assertThat(parsed.getSpec().getGroups()).flatExtracting(g -> g.getRules()).allSatisfy(r -> {
            assertThat(r.getLabels()).containsKey("severity");
            assertThat(r.getAnnotations()).containsKeys("summary", "description", "runbook_url");
            // the runbook entry the alert links to exists (a Markdown heading's anchor is its lower-cased text)
            assertThat(r.getAnnotations().get("runbook_url")).isEqualTo("docs/operations.md#" + r.getAlert().toLowerCase());
            assertThat(operations).contains("\n### " + r.getAlert() + "\n");
        });
    }

    /** Every rule has a promtool unit test, and they pass (promtool: Debian's prometheus package; .ci/run installs it). */
    @Test
    void shouldPassPromtoolUnitTestsThatCoverEveryAlert() throws Exception {
        // alert name -> the exp_alerts sizes its promtool cases expect: each fires in one case and is quiet in one
        Map<String, List<Integer>> cases = new java.util.TreeMap<>();
        for (JsonNode test : YAML.readTree(PROMTOOL_TESTS.toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                cases.computeIfAbsent(check.path("alertname").asText(), k -> new ArrayList<>())
                        .add(check.path("exp_alerts").size());
            }
        }
        for (JsonNode group : YAML.readTree(ALERTS.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                assertThat(cases.get(alert)).as("promtool cases of %s", alert).isNotNull().contains(0)
                        .anySatisfy(n -> assertThat(n).isPositive());
            }
        }
        Path promtool = promtool();
        assumeThat(promtool).as("promtool on the PATH (apt-get install prometheus)").isNotNull();

        assertThat(run(promtool, "check", "rules", ALERTS.toString())).contains("SUCCESS");
        assertThat(run(promtool, "test", "rules", PROMTOOL_TESTS.toString())).contains("SUCCESS");
    }

    @Test
    void shouldAlertAndChartOnlySeriesTheServicesExport() throws IOException {
        Set<String> exported = MetricCatalogue.exported();
        assertThat(exported).contains("api_requests_total", "api_request_duration_seconds_bucket", "kiku_usage_backlog",
                "api_circuit_state", "kiku_reconciliation_drift_accounts", "kiku_webhook_alerts_total");

        List<String> queries = new ArrayList<>();
        YAML.readTree(ALERTS.toFile()).findValues("expr").forEach(e -> queries.add(e.asText()));
        JSON.readTree(DASHBOARD.toFile()).findValues("expr").forEach(e -> queries.add(e.asText()));
        assertThat(queries).hasSizeGreaterThan(20);
        for (String query : queries) {
            assertThat(MetricCatalogue.referenced(query)).as(query).isNotEmpty()
                    .allSatisfy(series -> assertThat(exported.contains(series) || MetricCatalogue.EXTERNAL.contains(series))
                            .as("%s in %s is exported", series, query).isTrue());
        }
    }

    @Test
    void shouldShipTheDashboardForGrafanasSidecarWithTheOperatorsPanels() throws IOException {
        JsonNode configMap = monitored.get("ConfigMap", "kiku-dashboard");
        StrictModel.parse(configMap);

        assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        JsonNode dashboard = JSON.readTree(configMap.at("/data/kiku.json").asText());
        assertThat(dashboard).isEqualTo(JSON.readTree(DASHBOARD.toFile()));
        String panels = dashboard.path("panels").toString();
        assertThat(panels).contains("rate(api_requests_total", "histogram_quantile(0.5", "histogram_quantile(0.99",
                "status=~\\\"5..\\\"", "api_charged_micros_total", "kiku_usage_backlog", "api_circuit_state");
    }

    private static Path promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String run(Path promtool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s:\n%s", command, output).isZero();
        return output;
    }
}
