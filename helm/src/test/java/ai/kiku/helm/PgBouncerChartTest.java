package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** pgbouncer.enabled: a hardened PgBouncer in transaction mode that billing and webhook reach; migrations stay direct. */
class PgBouncerChartTest {

    private static final String IMAGE = "registry.example/pgbouncer:1.18";

    private static Manifests enabled() {
        return Chart.renderWithHooks(List.of(), "pgbouncer.enabled", true, "pgbouncer.image", IMAGE,
                "networkPolicy.enabled", true, "migrations.enabled", true);
    }

    @Test
    void shouldRenderNoPgBouncerByDefault() {
        Manifests manifests = Chart.render();

        assertThat(manifests.find("Deployment", "kiku-pgbouncer")).isEmpty();
        assertThat(env(container(manifests, "kiku-billing"))).doesNotContainKey("KIKU_DB_BEHIND_PGBOUNCER");
    }

    @Test
    void shouldParseStrictlyAndRunPgBouncerInTransactionModeHardened() {
        Manifests manifests = enabled();

        List<HasMetadata> objects = manifests.objects.stream().map(StrictModel::parse).collect(Collectors.toList());
        assertThat(objects).hasSize(manifests.objects.size());
        String ini = manifests.get("ConfigMap", "kiku-pgbouncer").path("data").path("pgbouncer.ini").asText();
        assertThat(ini).contains("pool_mode = transaction", "ignore_startup_parameters = extra_float_digits",
                "kiku = host=kiku-citus-coordinator port=5432 dbname=kiku", "default_pool_size = 20", "listen_port = 6432");
        Deployment deployment = (Deployment) StrictModel.parse(manifests.get("Deployment", "kiku-pgbouncer"));
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(IMAGE);
        assertThat(container.getCommand().get(2)).contains("exec pgbouncer /etc/pgbouncer/pgbouncer.ini");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DB_PASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("KIKU_DB_PASSWORD");
        });
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        JsonNode service = manifests.get("Service", "kiku-pgbouncer");
        assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(6432);
    }

    @Test
    void shouldPointBillingAndWebhookAtPgBouncerAndKeepTheMigrationJobDirect() {
        Manifests manifests = enabled();

        for (String service : List.of("billing", "webhook")) {
            assertThat(ServiceReference.reads(ServiceReference.environmentNames(service), "KIKU_DB_BEHIND_PGBOUNCER"))
                    .as("%s reads KIKU_DB_BEHIND_PGBOUNCER", service).isTrue();
        }
        for (String name : List.of("kiku-billing", "kiku-webhook")) {
            assertThat(env(container(manifests, name))).as(name)
                    .containsEntry("KIKU_DB_HOST", "kiku-pgbouncer").containsEntry("KIKU_DB_PORT", "6432")
                    .containsEntry("KIKU_DB_BEHIND_PGBOUNCER", "true");
        }
        for (String name : List.of("kiku-api", "kiku-bot")) {
            assertThat(env(container(manifests, name))).as(name).doesNotContainKeys("KIKU_DB_HOST", "KIKU_DB_BEHIND_PGBOUNCER");
        }
        assertThat(manifests.configData()).containsEntry("KIKU_DB_HOST", "kiku-citus-coordinator");
        Job job = (Job) StrictModel.parse(manifests.ofKind("Job").get(0));
        Map<String, String> jobEnv = env(job.getSpec().getTemplate().getSpec().getContainers().get(0));
        assertThat(jobEnv).containsEntry("KIKU_DB_HOST", "kiku-citus-coordinator").doesNotContainKey("KIKU_DB_BEHIND_PGBOUNCER");
        NetworkPolicy billing = (NetworkPolicy) StrictModel.parse(manifests.get("NetworkPolicy", "kiku-billing"));
        assertThat(billing.getSpec().getEgress()).anySatisfy(rule -> {
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(6432));
            assertThat(rule.getTo().get(0).getPodSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", "pgbouncer");
        });
    }

    @Test
    void shouldRefuseToEnablePgBouncerWithoutAnImage() {
        assertThatThrownBy(() -> Chart.render("pgbouncer.enabled", true)).hasMessageContaining("pgbouncer.image is required");
    }

    private static Container container(Manifests manifests, String deployment) {
        return ((Deployment) StrictModel.parse(manifests.get("Deployment", deployment))).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
    }
}
