package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Upgrades and their surroundings: the migration hook, stable secrets that roll pods, egress, the HTTPRoute. */
class ChartOperationsTest {

    private static final List<String> SERVICES = List.of("api", "bot", "webhook", "billing");
    private static final String TOKENS = "secrets:\n  internalTokens:\n    api: api-0123456789\n"
            + "    bot: bot-0123456789\n    webhook: webhook-0123456789\n";

    @Test
    void shouldMigrateOnceInAPreInstallPreUpgradeHookAndStartTheServicesWithoutFlyway() {
        Manifests manifests = Chart.renderWithHooks(List.of(), "migrations.username", "kiku_owner");

        Job job = (Job) StrictModel.parse(manifests.get("Job", "kiku-migrations"));
        assertThat(job.getMetadata().getAnnotations()).containsEntry(Chart.HOOK, "pre-install,pre-upgrade");
        Container flyway = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(flyway.getImage()).isEqualTo("ghcr.io/kikuai/billing-service:1.0.0-SNAPSHOT");
        assertThat(env(flyway)).containsEntry("QUARKUS_INIT_AND_EXIT", "true")
                .containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "true")
                .containsEntry("KIKU_DB_USERNAME", "kiku_owner").containsEntry("KIKU_DB_HOST", "kiku-citus-coordinator");
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        // the services' shared settings too (the ConfigMap does not exist yet when the hook runs), names once each
        Map<String, String> config = manifests.configData();
        config.remove("KIKU_DB_USERNAME");
        assertThat(env(flyway)).containsAllEntriesOf(config);
        assertThat(flyway.getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates();
        // its password comes from a hook Secret created just before it (the release's own Secret does not exist yet)
        JsonNode hookSecret = manifests.get("Secret", "kiku-migrations");
        assertThat(hookSecret.at("/metadata/annotations").toString()).contains(Chart.HOOK).contains("\"-10\"");
        assertThat(flyway.getEnv()).filteredOn(e -> e.getName().equals("KIKU_DB_PASSWORD")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiku-migrations"));

        for (String service : SERVICES) {
            Map<String, String> env = env(container(manifests, service));
            if (service.equals("billing")) { // webhook has no Flyway: nothing to switch off
                assertThat(env).as(service).containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "false");
            } else {
                assertThat(env).as(service).doesNotContainKey("QUARKUS_FLYWAY_MIGRATE_AT_START");
            }
        }
    }

    @Test
    void shouldLeaveFlywayInTheServicesWhenMigrationsAreOffAndReadAManagedMigrationSecret() {
        Manifests off = Chart.renderWithHooks(List.of(), "migrations.enabled", false);
        assertThat(off.ofKind("Job")).isEmpty();
        assertThat(env(container(off, "billing"))).doesNotContainKey("QUARKUS_FLYWAY_MIGRATE_AT_START");

        Manifests managed = Chart.renderWithHooks(List.of(), "migrations.existingSecret", "kiku-db-owner",
                "migrations.existingSecretPasswordKey", "password");
        assertThat(managed.find("Secret", "kiku-migrations")).isEmpty();
        Job job = (Job) StrictModel.parse(managed.get("Job", "kiku-migrations"));
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .filteredOn(e -> e.getName().equals("KIKU_DB_PASSWORD")).singleElement().satisfies(e -> {
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kiku-db-owner");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
                });
    }

    @Test
    void shouldCheckEveryServicesReadinessInAHelmTestPodThePoliciesAdmit() {
        Manifests manifests = Chart.renderWithHooks(List.of(), "networkPolicy.enabled", true,
                "services.bot.enabled", false);

        Pod pod = (Pod) StrictModel.parse(manifests.get("Pod", "kiku-test-readiness"));
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(Chart.HOOK, "test");
        String script = String.join("\n", pod.getSpec().getContainers().get(0).getArgs());
        assertThat(script).contains("curl -fsS --max-time 10 http://kiku-api:8080/q/health/ready",
                "http://kiku-webhook:8082/q/health/ready", "http://kiku-billing:8083/q/health/ready")
                .doesNotContain("kiku-bot");
        // api admits no other pod of the release, but this one
        NetworkPolicy api = (NetworkPolicy) StrictModel.parse(manifests.get("NetworkPolicy", "kiku-api"));
        assertThat(api.getSpec().getIngress()).flatExtracting(r -> r.getFrom())
                .filteredOn(p -> p.getPodSelector() != null && p.getNamespaceSelector() == null)
                .singleElement().satisfies(p -> assertThat(p.getPodSelector().getMatchLabels())
                        .isEqualTo(pod.getMetadata().getLabels().entrySet().stream()
                                .filter(e -> !e.getKey().equals("helm.sh/chart") && !e.getKey().contains("version")
                                        && !e.getKey().contains("managed-by") && !e.getKey().contains("part-of"))
                                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));

        assertThat(Chart.renderWithHooks(List.of(), "tests.enabled", false).ofKind("Pod")).isEmpty();
    }

    @Test
    void shouldRefuseToInventTokensWithoutClusterAccessUnlessTold() {
        assertThatThrownBy(() -> Chart.templateAsIs(List.of(), "secrets.reuseLiveSecret", false))
                .hasMessageContaining("KIKU_ADMIN_TOKEN is empty and the live Secret \"kiku\" cannot be read")
                .hasMessageContaining("existingSecret");

        String given = Chart.templateAsIs(List.of(), "secrets.reuseLiveSecret", false,
                "secrets.adminToken", "admin-0123456789", "secrets.internalTokens.api", "api-0123456789",
                "secrets.internalTokens.bot", "bot-0123456789", "secrets.internalTokens.webhook", "webhook-0123456789");
        assertThat(secretData(new Manifests(given).get("Secret", "kiku"))).containsEntry("KIKU_ADMIN_TOKEN", "admin-0123456789");
        assertThat(new Manifests(Chart.templateAsIs(List.of(), "secrets.reuseLiveSecret", false,
                "existingSecret", "kiku-secrets")).ofKind("Secret")).isEmpty();
        assertThat(secretData(new Manifests(Chart.templateAsIs(List.of(), "secrets.reuseLiveSecret", false,
                "secrets.generateWithoutCluster", true)).get("Secret", "kiku")).get("KIKU_ADMIN_TOKEN")).hasSize(48);
    }

    /** checksum/secret is the hash of what the Secret holds, generated tokens included, so pods roll with it. */
    @Test
    void shouldRollThePodsWhenTheirSecretOrConfigChangesAndOnlyThen() throws Exception {
        Manifests generated = Chart.render();
        assertThat(checksum(generated, "api", "secret")).isEqualTo(sha256(dataJson(generated.get("Secret", "kiku"))));

        // a new random token on every render (generateWithoutCluster) is a new Secret: the pods must follow it
        assertThat(checksum(Chart.render(), "api", "secret")).isNotEqualTo(checksum(generated, "api", "secret"));

        Manifests one = Chart.render(List.of(TOKENS), "secrets.adminToken", "admin-0123456789");
        Manifests same = Chart.render(List.of(TOKENS), "secrets.adminToken", "admin-0123456789");
        Manifests rotated = Chart.render(List.of(TOKENS), "secrets.adminToken", "admin-9876543210");
        assertThat(checksum(same, "billing", "secret")).isEqualTo(checksum(one, "billing", "secret"));
        assertThat(checksum(rotated, "billing", "secret")).isNotEqualTo(checksum(one, "billing", "secret"));
        assertThat(checksum(rotated, "billing", "config")).isEqualTo(checksum(one, "billing", "config"));

        Manifests reconfigured = Chart.render(List.of(TOKENS), "secrets.adminToken", "admin-0123456789", "paddle.apiUrl",
                "https://sandbox-api.paddle.com");
        assertThat(checksum(reconfigured, "billing", "config")).isNotEqualTo(checksum(one, "billing", "config"));
        assertThat(checksum(reconfigured, "billing", "secret")).isEqualTo(checksum(one, "billing", "secret"));
    }

    @Test
    void shouldLetPodsConnectOnlyToDnsTheStoresTheirPeersAndTheirProviders() {
        Manifests manifests = Chart.render("networkPolicy.enabled", true,
                "networkPolicy.ingressControllerPodSelector.app\\.kubernetes\\.io/name", "traefik",
                "networkPolicy.ingressControllerNamespaceSelector.kubernetes\\.io/metadata\\.name", "traefik");
        Map<String, NetworkPolicy> policies = SERVICES.stream().collect(Collectors.toMap(s -> s,
                s -> (NetworkPolicy) StrictModel.parse(manifests.get("NetworkPolicy", "kiku-" + s))));

        policies.forEach((service, policy) -> {
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
            assertThat(ports(policy)).as(service).contains("UDP/53", "TCP/53");
        });
        assertThat(ports(policies.get("billing"))).contains("TCP/5432", "TCP/6379").doesNotContain("TCP/443");
        // webhook keeps nothing in Redis: no way there
        assertThat(ports(policies.get("webhook"))).contains("TCP/5432", "TCP/443", "TCP/8083")
                .doesNotContain("TCP/6379");
        assertThat(ports(policies.get("api"))).contains("TCP/6379");
        assertThat(ports(policies.get("bot"))).contains("TCP/6379");
        assertThat(ports(policies.get("api"))).contains("TCP/443", "TCP/8083").doesNotContain("TCP/5432");
        assertThat(ports(policies.get("bot"))).contains("TCP/443", "TCP/8082", "TCP/8083").doesNotContain("TCP/5432");
        // the internet, but not the cluster's private ranges
        assertThat(policies.get("api").getSpec().getEgress()).flatExtracting(NetworkPolicyEgressRule::getTo)
                .filteredOn(p -> p.getIpBlock() != null).singleElement()
                .satisfies(p -> assertThat(p.getIpBlock().getExcept()).contains("10.0.0.0/8", "192.168.0.0/16"));
        // the ingress controller is whatever the values say, namespace and pods in one peer
        assertThat(policies.get("api").getSpec().getIngress()).flatExtracting(r -> r.getFrom())
                .anySatisfy(p -> {
                    assertThat(p.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "traefik");
                    assertThat(p.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "traefik");
                });
        assertThat(manifests.raw).doesNotContain("ingress-nginx");

        Manifests managedStores = Chart.render("networkPolicy.enabled", true,
                "networkPolicy.egress.postgresql.cidrs[0]", "10.20.0.0/16", "networkPolicy.egress.enabled", true);
        NetworkPolicy billing = (NetworkPolicy) StrictModel.parse(managedStores.get("NetworkPolicy", "kiku-billing"));
        assertThat(billing.getSpec().getEgress()).flatExtracting(NetworkPolicyEgressRule::getTo)
                .filteredOn(p -> p.getIpBlock() != null).extracting(p -> p.getIpBlock().getCidr())
                .containsExactly("10.20.0.0/16");

        // deploy/values-production.yaml's Ollama in the cluster: one extra rule, for the services that call out
        Manifests production = Chart.renderWithValuesFile(StrictRenderTest.productionValues());
        assertThat(ports((NetworkPolicy) StrictModel.parse(production.get("NetworkPolicy", "kiku-api")))).contains("TCP/11434");
        assertThat(ports((NetworkPolicy) StrictModel.parse(production.get("NetworkPolicy", "kiku-billing"))))
                .doesNotContain("TCP/11434", "TCP/443");

        // no internal API left to call: no rule towards the release's pods at all (one without ports opens them all)
        Manifests alone = Chart.render("networkPolicy.enabled", true, "services.webhook.enabled", false);
        NetworkPolicy lonelyBilling = (NetworkPolicy) StrictModel.parse(alone.get("NetworkPolicy", "kiku-billing"));
        assertThat(lonelyBilling.getSpec().getEgress()).allSatisfy(r -> assertThat(r.getPorts()).isNotEmpty());
        assertThat(lonelyBilling.getSpec().getEgress()).flatExtracting(NetworkPolicyEgressRule::getTo)
                .noneMatch(p -> p.getPodSelector() != null && p.getNamespaceSelector() == null
                        && p.getPodSelector().getMatchLabels().containsKey("app.kubernetes.io/instance"));

        Manifests ingressOnly = Chart.render("networkPolicy.enabled", true, "networkPolicy.egress.enabled", false);
        assertThat(((NetworkPolicy) StrictModel.parse(ingressOnly.get("NetworkPolicy", "kiku-api"))).getSpec()
                .getPolicyTypes()).containsExactly("Ingress");
    }

    @Test
    void shouldRouteThePublicPathsThroughAGatewayApiHttpRoute() {
        Manifests manifests = Chart.render("gateway.enabled", true, "gateway.parentRefs[0].name", "public",
                "gateway.parentRefs[0].namespace", "gateway", "ingress.host", "api.kiku.example");

        HTTPRoute route = (HTTPRoute) StrictModel.parse(manifests.get("HTTPRoute", "kiku"));
        assertThat(route.getSpec().getHostnames()).containsExactly("api.kiku.example");
        assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("public"));
        Map<String, String> routes = new TreeMap<>();
        route.getSpec().getRules().forEach(r -> routes.put(r.getMatches().get(0).getPath().getValue(),
                r.getBackendRefs().get(0).getName() + ":" + r.getBackendRefs().get(0).getPort()));
        assertThat(routes).containsExactlyInAnyOrderEntriesOf(Map.of("/api/v1", "kiku-api:8080", "/v1", "kiku-api:8080",
                "/telegram/webhook", "kiku-bot:8081", "/webhooks/paddle", "kiku-webhook:8082"));
        assertThat(manifests.ofKind("Ingress")).isEmpty();

        assertThatThrownBy(() -> Chart.template(List.of(), "gateway.enabled", true))
                .hasMessageContaining("gateway.parentRefs is required");
        assertThatThrownBy(() -> Chart.template(List.of("services:\n  api:\n    ingressPaths: [/admin/v1]\n"),
                "gateway.enabled", true, "gateway.parentRefs[0].name", "public"))
                .hasMessageContaining("is not public");
    }

    private static Container container(Manifests manifests, String service) {
        return ((Deployment) StrictModel.parse(manifests.get("Deployment", "kiku-" + service))).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static List<String> ports(NetworkPolicy policy) {
        return policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(ChartOperationsTest::port).collect(Collectors.toList());
    }

    private static String port(NetworkPolicyPort port) {
        return port.getProtocol() + "/" + port.getPort().getIntVal();
    }

    private static String checksum(Manifests manifests, String service, String kind) {
        return manifests.get("Deployment", "kiku-" + service).at("/spec/template/metadata/annotations")
                .path("checksum/" + kind).asText();
    }

    /** The Secret's data as Helm's toJson writes it: keys sorted, compact. */
    private static String dataJson(JsonNode secret) throws Exception {
        Map<String, String> data = new TreeMap<>();
        secret.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        return new ObjectMapper().writeValueAsString(data);
    }

    private static Map<String, String> secretData(JsonNode secret) {
        Map<String, String> data = new TreeMap<>();
        secret.path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
        return data;
    }

    private static String sha256(String text) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%064x", new BigInteger(1, hash));
    }
}
