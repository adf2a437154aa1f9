package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The chart must agree with the manifests quarkus-kubernetes generates from each service's own build. */
class QuarkusKubernetesReferenceTest {

    private static Manifests defaults;

    @BeforeAll
    static void renderDefaults() {
        defaults = Chart.render();
    }

    @Test
    void shouldListenAndProbeWhereEachServicesGeneratedManifestSays() {
        for (String service : ServiceReference.SERVICES) {
            JsonNode generated = Manifests.container(ServiceReference.generatedDeployment(service));
            JsonNode chart = Manifests.container(defaults.get("Deployment", "kiku-" + service));
            int port = generated.at("/ports/0/containerPort").asInt();
            assertThat(port).as(service + " generated port").isPositive();
            assertThat(chart.at("/ports/0/containerPort").asInt()).as(service + " containerPort").isEqualTo(port);
            assertThat(chart.at("/ports/0/name").asText()).isEqualTo(generated.at("/ports/0/name").asText());
            assertThat(envValue(chart, "QUARKUS_HTTP_PORT")).as(service + " QUARKUS_HTTP_PORT").isEqualTo(String.valueOf(port));
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(chart.at("/" + probe + "/httpGet/path").asText()).as(service + " " + probe)
                        .isEqualTo(generated.at("/" + probe + "/httpGet/path").asText());
                assertThat(chart.at("/" + probe + "/httpGet/port").asText()).as(service + " " + probe + " port")
                        .isEqualTo(chart.at("/ports/0/name").asText());
            }
        }
    }

    @Test
    void shouldSetOnlyKikuEnvironmentNamesThatTheServicesRead() {
        List<String> unread = new ArrayList<>();
        Set<String> anyService = new java.util.TreeSet<>();
        for (String service : ServiceReference.SERVICES) {
            Set<String> reads = ServiceReference.environmentNames(service);
            assertThat(reads).as(service + " reads kiku config").isNotEmpty();
            anyService.addAll(reads);
            Manifests.container(defaults.get("Deployment", "kiku-" + service)).path("env").forEach(e -> {
                String name = e.path("name").asText();
                if (name.startsWith("KIKU_") && !ServiceReference.reads(reads, name)) {
                    unread.add(service + ": " + name);
                }
            });
        }
        // the ConfigMap is shared: each of its names must be read by some service
        defaults.configData().keySet().stream().filter(k -> k.startsWith("KIKU_"))
                .filter(k -> !ServiceReference.reads(anyService, k)).forEach(k -> unread.add("ConfigMap: " + k));
        assertThat(unread).as("names the chart sets that no service reads").isEmpty();
    }

    private static String envValue(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e.path("value").asText();
            }
        }
        return null;
    }
}
