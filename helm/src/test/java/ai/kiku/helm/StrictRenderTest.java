package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every object of three renders (the defaults, deploy/values-production.yaml, every option on) parses strictly into
 * the Kubernetes model, and every pod is safe to roll and to run: the hardening and the graceful-shutdown budget.
 */
class StrictRenderTest {

    static Stream<Supplier<Manifests>> renders() {
        return Stream.of(
                named("defaults", () -> Chart.renderWithHooks(List.of())),
                named("values-production.yaml", () -> Chart.renderWithHooks(productionValues())),
                named("values-maximal.yaml", () -> Chart.renderWithHooks(maximalValues())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldParseEveryRenderedObjectStrictlyIntoTheKubernetesModel(Supplier<Manifests> render) {
        Manifests manifests = render.get();

        List<HasMetadata> objects = manifests.objects.stream().map(StrictModel::parse).collect(Collectors.toList());

        assertThat(objects).hasSize(manifests.objects.size()).hasSizeGreaterThan(15);
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getName()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void shouldRollWithoutLosingCapacityAndRunEveryPodHardened(Supplier<Manifests> render) {
        Manifests manifests = render.get();
        List<Deployment> deployments = manifests.ofKind("Deployment").stream()
                .map(d -> (Deployment) StrictModel.parse(d)).collect(Collectors.toList());
        assertThat(deployments).hasSize(4);

        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
                    .as("%s maxUnavailable", name).isZero();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertHardened(name, pod);
            Container container = pod.getContainers().get(0);
            assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).as("%s preStop", name)
                    .startsWith("sleep");
            long drain = Long.parseLong(container.getLifecycle().getPreStop().getExec().getCommand().get(1));
            long shutdown = seconds(env(container, "KIKU_SHUTDOWN_TIMEOUT"));
            long stream = env(container, "KIKU_API_MAX_STREAM_DURATION") == null ? 0
                    : seconds(env(container, "KIKU_API_MAX_STREAM_DURATION"));
            assertThat(shutdown).as("%s in-flight bound", name).isGreaterThan(stream);
            // preStop sleep, then the in-service drain and its close phase (at most one more drain delay), then the
            // longest stream still running must settle
            assertThat(pod.getTerminationGracePeriodSeconds()).as("%s grace period", name)
                    .isGreaterThan(drain + 2 * seconds(env(container, "KIKU_SHUTDOWN_DRAIN_DELAY")) + Math.max(stream, shutdown));
            for (String resource : List.of("cpu", "memory")) {
                assertThat(container.getResources().getRequests()).as("%s requests", name).containsKey(resource);
                assertThat(container.getResources().getLimits()).as("%s limits", name).containsKey(resource);
            }
            Map<String, String> own = deployment.getSpec().getSelector().getMatchLabels();
            assertThat(pod.getTopologySpreadConstraints()).as("%s spread", name)
                    .extracting(TopologySpreadConstraint::getTopologyKey)
                    .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
            assertThat(pod.getTopologySpreadConstraints()).allSatisfy(c -> {
                assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(own);
                assertThat(c.getMaxSkew()).isEqualTo(1);
            });
        }
        assertThat(manifests.ofKind("Pod")).as("the helm test hook").hasSize(1).allSatisfy(p -> {
            Pod pod = (Pod) StrictModel.parse(p);
            assertHardened(pod.getMetadata().getName(), pod.getSpec());
        });
        assertThat(manifests.ofKind("Job")).as("the migration hook").hasSize(1);
        manifests.ofKind("Job").forEach(j -> {
            Job job = (Job) StrictModel.parse(j);
            assertHardened(job.getMetadata().getName(), job.getSpec().getTemplate().getSpec());
        });
    }

    @Test
    void shouldRefuseAnUnknownFieldOrAWrongTypeInARenderedObject() {
        JsonNode deployment = Chart.render().get("Deployment", "kiku-api");
        ObjectNode unknown = deployment.deepCopy();
        ((ObjectNode) unknown.at("/spec/template/spec")).put("terminationGracePeriod", 30);
        ObjectNode mistyped = deployment.deepCopy();
        ((ObjectNode) mistyped.at("/spec/template/spec")).put("terminationGracePeriodSeconds", "630");
        ObjectNode nested = deployment.deepCopy();
        ((ObjectNode) nested.at("/spec/template/spec/containers/0/securityContext")).put("readOnlyRootFilesystm", true);

        assertThat(StrictModel.parse(deployment)).isInstanceOf(Deployment.class);
        assertThatThrownBy(() -> StrictModel.parse(unknown)).hasMessageContaining("terminationGracePeriod");
        assertThatThrownBy(() -> StrictModel.parse(mistyped)).hasMessageContaining("terminationGracePeriodSeconds");
        assertThatThrownBy(() -> StrictModel.parse(nested)).hasMessageContaining("readOnlyRootFilesystm");
    }

    private static void assertHardened(String name, PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s pod runAsNonRoot", name).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as("%s seccomp", name).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).as("%s token", name).isFalse();
        for (Container container : pod.getContainers()) {
            assertThat(container.getSecurityContext().getRunAsNonRoot()).as("%s runAsNonRoot", name).isTrue();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as("%s read-only root", name).isTrue();
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as("%s escalation", name).isFalse();
            assertThat(container.getSecurityContext().getCapabilities().getDrop()).as("%s capabilities", name)
                    .containsExactly("ALL");
            assertThat(container.getSecurityContext().getCapabilities().getAdd()).as("%s added", name).isNullOrEmpty();
            assertThat(container.getResources().getLimits()).as("%s limits", name).containsKeys("cpu", "memory");
        }
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElse(null);
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }

    static Path productionValues() {
        return Path.of(System.getProperty("kiku.production.values", "../deploy/values-production.yaml"));
    }

    static Path maximalValues() {
        try {
            return Path.of(StrictRenderTest.class.getResource("/values-maximal.yaml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Supplier<Manifests> named(String name, Supplier<Manifests> render) {
        return new Supplier<>() {
            @Override
            public Manifests get() {
                return render.get();
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
