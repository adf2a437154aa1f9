package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.kiku.helm.Chart.Manifests;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The redis.* values (mode, Sentinel, password Secret, TLS) as every service's env, mounts and egress. */
class RedisChartTest {

    /** The services with a Redis client (services.<svc>.redis); webhook-service has none: it keeps nothing in Redis. */
    private static final List<String> REDIS_CLIENTS = List.of("api", "bot", "billing");
    private static final String SENTINEL_TLS = """
            redis:
              mode: sentinel
              hosts: "rediss://kiku-redis-node-0.kiku-redis-headless:26379,rediss://kiku-redis-node-1.kiku-redis-headless:26379"
              masterName: kiku-primary
              existingSecret: kiku-redis
              existingSecretPasswordKey: redis-password
              tls:
                enabled: true
                trustSecret: kiku-redis-ca
                trustSecretKey: ca.pem
                hostnameVerification: HTTPS
            networkPolicy:
              enabled: true
            """;

    @Test
    void shouldGiveEveryRedisClientSentinelModeTheSecretPasswordAndTheMountedCaAndWebhookNone() {
        Manifests manifests = Chart.render(List.of(SENTINEL_TLS));

        assertThat(manifests.configData())
                .containsEntry("KIKU_REDIS_MODE", "sentinel")
                .containsEntry("KIKU_REDIS_HOSTS", "rediss://kiku-redis-node-0.kiku-redis-headless:26379,"
                        + "rediss://kiku-redis-node-1.kiku-redis-headless:26379")
                .containsEntry("KIKU_REDIS_MASTER_NAME", "kiku-primary")
                .containsEntry("KIKU_REDIS_TLS", "true")
                .containsEntry("KIKU_REDIS_TLS_HOSTNAME_VERIFICATION", "HTTPS")
                .doesNotContainKeys("QUARKUS_REDIS_PASSWORD", "KIKU_REDIS_PASSWORD");
        Secret own = (Secret) StrictModel.parse(manifests.get("Secret", "kiku"));
        assertThat(own.getData()).as("the chart's Secret holds no Redis password").doesNotContainKey("QUARKUS_REDIS_PASSWORD");

        for (String service : REDIS_CLIENTS) {
            Deployment deployment = (Deployment) StrictModel.parse(manifests.get("Deployment", "kiku-" + service));
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = pod.getContainers().get(0);

            List<EnvVar> passwords = container.getEnv().stream()
                    .filter(e -> e.getName().equals("QUARKUS_REDIS_PASSWORD")).collect(Collectors.toList());
            assertThat(passwords).as("%s password env", service).hasSize(1);
            SecretKeySelector ref = passwords.get(0).getValueFrom().getSecretKeyRef();
            assertThat(ref.getName()).as(service).isEqualTo("kiku-redis");
            assertThat(ref.getKey()).as(service).isEqualTo("redis-password");
            assertThat(ref.getOptional()).as("%s: a missing Redis Secret stops the pod", service).isFalse();
            assertThat(env(container, "KIKU_REDIS_TLS_TRUST_PEM")).as(service).isEqualTo("/etc/kiku/redis-tls/ca.crt");

            VolumeMount mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("redis-tls"))
                    .findFirst().orElseThrow(() -> new AssertionError(service + ": no redis-tls mount"));
            assertThat(mount.getMountPath()).isEqualTo("/etc/kiku/redis-tls");
            assertThat(mount.getReadOnly()).as("%s CA mount read-only", service).isTrue();
            assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("redis-tls")).findFirst()
                    .orElseThrow(() -> new AssertionError(service + ": no redis-tls volume"));
            assertThat(volume.getSecret().getSecretName()).isEqualTo("kiku-redis-ca");
            assertThat(volume.getSecret().getItems()).singleElement().satisfies(item -> {
                assertThat(item.getKey()).isEqualTo("ca.pem");
                assertThat(item.getPath()).isEqualTo("ca.crt");
            });
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                    .as("%s rolls when the Redis Secrets change", service).containsKey("checksum/redis");

            assertThat(redisEgressPorts(manifests, service)).as("%s egress to the sentinels and the primary", service)
                    .containsExactlyInAnyOrder(26379, 6379);
        }
        assertNoRedis(manifests, "webhook", 26379, 6379);
    }

    /** Every KIKU_REDIS_* name the chart sets is one the Redis-using services read (kiku.redis.* in env form). */
    @Test
    void shouldSetOnlyRedisNamesTheServicesRead() {
        Manifests manifests = Chart.render(List.of(SENTINEL_TLS));
        Set<String> names = new java.util.TreeSet<>();
        manifests.configData().keySet().stream().filter(k -> k.startsWith("KIKU_REDIS_")).forEach(names::add);
        Manifests.container(manifests.get("Deployment", "kiku-api")).path("env").forEach(e -> {
            if (e.path("name").asText().startsWith("KIKU_REDIS_")) {
                names.add(e.path("name").asText());
            }
        });
        assertThat(names).contains("KIKU_REDIS_MODE", "KIKU_REDIS_HOSTS", "KIKU_REDIS_MASTER_NAME", "KIKU_REDIS_TLS",
                "KIKU_REDIS_TLS_HOSTNAME_VERIFICATION", "KIKU_REDIS_TLS_TRUST_PEM");

        for (String service : REDIS_CLIENTS) {
            Set<String> reads = ServiceReference.environmentNames(service);
            assertThat(names).as("%s reads", service).allSatisfy(n -> assertThat(ServiceReference.reads(reads, n))
                    .as("%s reads %s", service, n).isTrue());
        }
    }

    @Test
    void shouldKeepTheDefaultsClusterModeWithAnOptionalPasswordFromTheReleaseSecret() {
        Manifests manifests = Chart.render(List.of("networkPolicy:\n  enabled: true\n"));

        assertThat(manifests.configData()).containsEntry("KIKU_REDIS_MODE", "cluster")
                .containsEntry("KIKU_REDIS_TLS", "false")
                .doesNotContainKeys("KIKU_REDIS_MASTER_NAME", "KIKU_REDIS_TLS_HOSTNAME_VERIFICATION");
        for (String service : REDIS_CLIENTS) {
            Deployment deployment = (Deployment) StrictModel.parse(manifests.get("Deployment", "kiku-" + service));
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            SecretKeySelector ref = container.getEnv().stream().filter(e -> e.getName().equals("QUARKUS_REDIS_PASSWORD"))
                    .findFirst().orElseThrow().getValueFrom().getSecretKeyRef();
            assertThat(ref.getName()).isEqualTo("kiku");
            assertThat(ref.getKey()).isEqualTo("QUARKUS_REDIS_PASSWORD");
            assertThat(ref.getOptional()).isTrue();
            assertThat(env(container, "KIKU_REDIS_TLS_TRUST_PEM")).isNull();
            assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).extracting(Volume::getName)
                    .containsExactly("tmp");
            assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).doesNotContainKey("checksum/redis");
            assertThat(redisEgressPorts(manifests, service)).containsExactly(6379);
        }
        assertNoRedis(manifests, "webhook", 6379);
    }

    @Test
    void shouldAddThePortsOfTheRedisHostsToTheEgress() {
        Manifests manifests = Chart.render(List.of("networkPolicy:\n  enabled: true\n"),
                "redis.mode", "standalone", "redis.hosts", "redis://redis.databases:6380");

        assertThat(redisEgressPorts(manifests, "billing")).containsExactlyInAnyOrder(6379, 6380);
    }

    @Test
    void shouldFailLintOnAnUnknownRedisMode() throws IOException {
        String values = Files.readString(Chart.DIR.resolve("values.yaml"));
        assertThat(values).contains("  mode: cluster\n");

        LintResult lint = Chart.lintWithValues(values.replace("  mode: cluster\n", "  mode: replicated\n"));

        assertThat(lint.isFailed()).as("helm lint with redis.mode=replicated").isTrue();
        assertThat(lint.getMessages().toString()).contains("mode");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.mode", "replicated")).hasMessageContaining("mode");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.tls.hostnameVerification", "STRICT"))
                .hasMessageContaining("hostnameVerification");
        assertThatThrownBy(() -> Chart.template(List.of("redis:\n  tls:\n    enable: true\n")))
                .hasMessageContaining("enable");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.tls.enabled", "yes")).hasMessageContaining("enabled");
    }

    @Test
    void shouldRefuseRedisSettingsTheServicesCannotRunWith() {
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.tls.enabled", true))
                .hasMessageContaining("is not a rediss:// URL");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.hosts", "rediss://redis:6379"))
                .hasMessageContaining("redis.tls.enabled=true");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.password", "p", "redis.existingSecret", "kiku-redis"))
                .hasMessageContaining("both set");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.mode", "sentinel", "redis.masterName", ""))
                .hasMessageContaining("masterName");
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.tls.trustSecret", "kiku-redis-ca"))
                .hasMessageContaining("redis.tls.enabled is false");
    }

    /** No Redis password, CA, checksum or egress to the Redis ports for a service without a Redis client. */
    private static void assertNoRedis(Manifests manifests, String service, int... redisPorts) {
        Deployment deployment = (Deployment) StrictModel.parse(manifests.get("Deployment", "kiku-" + service));
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertThat(container.getEnv()).extracting(EnvVar::getName).as(service)
                .doesNotContain("QUARKUS_REDIS_PASSWORD", "KIKU_REDIS_TLS_TRUST_PEM");
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName).as(service).doesNotContain("redis-tls");
        assertThat(pod.getVolumes()).extracting(Volume::getName).as(service).containsExactly("tmp");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).as(service)
                .doesNotContainKey("checksum/redis");
        NetworkPolicy policy = (NetworkPolicy) StrictModel.parse(manifests.get("NetworkPolicy", "kiku-" + service));
        List<Integer> ports = policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).collect(Collectors.toList());
        for (int port : redisPorts) {
            assertThat(ports).as("%s egress", service).doesNotContain(port);
        }
    }

    private static List<Integer> redisEgressPorts(Manifests manifests, String service) {
        NetworkPolicy policy = (NetworkPolicy) StrictModel.parse(manifests.get("NetworkPolicy", "kiku-" + service));
        // the Redis rule is the second one, after DNS (networkpolicy.yaml)
        NetworkPolicyEgressRule rule = policy.getSpec().getEgress().get(1);
        return rule.getPorts().stream().map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).collect(Collectors.toList());
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElse(null);
    }
}
