package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;

import ai.kiku.helm.Chart.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** `helm test` makes one metered call on local-echo when the local model is on, with a key it creates via billing. */
class MeteredCallTestPodTest {

    private static final String POD = "kiku-test-metered-call";

    @Test
    void shouldMakeOneMeteredCallWithAKeyFromBillingsAdminApiWhenTheLocalModelIsOn() {
        Manifests manifests = Chart.renderWithHooks(List.of(), "config.localStandins", true, "networkPolicy.enabled", true);

        Pod pod = (Pod) StrictModel.parse(manifests.get("Pod", POD));
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(Chart.HOOK, "test");
        Container container = pod.getSpec().getContainers().get(0);
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("KIKU_ADMIN_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiku");
        assertThat(env.get("BILLING").getValue()).isEqualTo("http://kiku-billing:8083");
        assertThat(env.get("API").getValue()).isEqualTo("http://kiku-api:8080");
        String script = String.join("\n", container.getArgs());
        assertThat(script).contains("/admin/v1/accounts", "/adjustments", "/keys", "$API/v1/chat/completions",
                "\"model\":\"local-echo\"", "Authorization: Bearer $key", "grep -q '\"usage\"'")
                .doesNotContain("{{");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        // the same labels as the readiness Pod, which the NetworkPolicies admit
        assertThat(pod.getMetadata().getLabels())
                .isEqualTo(manifests.get("Pod", "kiku-test-readiness").path("metadata").path("labels").properties().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().asText())));
    }

    @Test
    void shouldAlsoCallWhenOnlyTheLocalModelItselfIsEnabled() {
        assertThat(Chart.renderWithHooks(List.of("services:\n  api:\n    env:\n      KIKU_LLM_LOCAL_ENABLED: \"true\"\n"))
                .find("Pod", POD)).isPresent();
    }

    @Test
    void shouldSkipTheMeteredCallWithoutTheLocalModelOrWhenTurnedOff() {
        assertThat(Chart.renderWithHooks(List.of()).find("Pod", POD)).isEmpty();
        assertThat(Chart.renderWithHooks(List.of(), "config.localStandins", true, "tests.meteredCall", false)
                .find("Pod", POD)).isEmpty();
        assertThat(Chart.renderWithHooks(List.of(), "config.localStandins", true, "tests.enabled", false)
                .find("Pod", POD)).isEmpty();
    }
}
