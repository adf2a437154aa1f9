package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.kiku.helm.Chart.Manifests;
import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/** Renders helm/kiku with real Helm (helm-java) and checks what Kubernetes would receive. */
class KikuChartTest {

    private static final Map<String, Integer> PORTS = Map.of("api", 8080, "bot", 8081, "webhook", 8082, "billing", 8083);

    private static Manifests defaults;

    @BeforeAll
    static void renderDefaults() {
        defaults = Chart.render();
    }

    @Test
    void shouldPassStrictHelmLintWithItsDefaultValues() {
        LintResult lint = Chart.lint();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void shouldRenderOneDeploymentPerServiceListeningOnItsPortWithQuarkusHealthProbes() {
        assertThat(defaults.ofKind("Deployment")).hasSize(4);
        PORTS.forEach((service, port) -> {
            JsonNode container = Manifests.container(defaults.get("Deployment", "kiku-" + service));

            assertThat(container.path("image").asText()).isEqualTo("ghcr.io/kikuai/" + service + "-service:1.0.0-SNAPSHOT");
            assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(port);
            assertThat(env(container)).containsEntry("QUARKUS_HTTP_PORT", String.valueOf(port));
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
            assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
            assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
            assertThat(container.at("/resources/requests/cpu").isMissingNode()).as("%s cpu request", service).isFalse();
            assertThat(container.at("/resources/requests/memory").isMissingNode()).as("%s memory request", service).isFalse();
            assertThat(container.at("/resources/limits/memory").isMissingNode()).as("%s memory limit", service).isFalse();

            JsonNode svc = defaults.get("Service", "kiku-" + service);
            assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(port);
            assertThat(svc.at("/spec/selector/app.kubernetes.io~1component").asText()).isEqualTo(service);
        });
    }

    @Test
    void shouldFeedEveryServiceTheSharedConfigMapAndOnlyTheSecretKeysItNeeds() {
        Map<String, String> config = defaults.configData();
        assertThat(config)
                .containsEntry("KIKU_REDIS_HOSTS", "redis://kiku-redis-redis-cluster:6379")
                .containsEntry("KIKU_DB_HOST", "kiku-citus-coordinator")
                .containsEntry("KIKU_DB_PORT", "5432")
                .containsEntry("KIKU_DB_NAME", "kiku")
                .containsEntry("KIKU_DB_USERNAME", "kiku")
                .containsEntry("KIKU_BILLING_URL", "http://kiku-billing:8083")
                .containsEntry("KIKU_WEBHOOK_URL", "http://kiku-webhook:8082")
                .containsEntry("KIKU_LOCAL_STANDINS", "false");

        for (String service : PORTS.keySet()) {
            JsonNode container = Manifests.container(defaults.get("Deployment", "kiku-" + service));
            assertThat(container.at("/envFrom/0/configMapRef/name").asText()).isEqualTo("kiku");
            assertThat(secretRefs(container)).as("secrets of %s", service).isNotEmpty()
                    .allSatisfy((key, secret) -> assertThat(secret).isEqualTo("kiku"));
        }
        assertThat(secretRefs(container("billing"))).containsKeys("KIKU_ADMIN_TOKEN", "KIKU_DB_PASSWORD")
                .doesNotContainKeys("KIKU_PADDLE_API_KEY", "KIKU_TELEGRAM_BOT_TOKEN");
        assertThat(secretRefs(container("webhook"))).containsKeys("KIKU_ADMIN_TOKEN", "KIKU_DB_PASSWORD",
                "KIKU_PADDLE_WEBHOOK_SECRETS", "KIKU_PADDLE_API_KEY").doesNotContainKey("KIKU_TELEGRAM_BOT_TOKEN");
        assertThat(secretRefs(container("bot"))).containsKeys("KIKU_TELEGRAM_BOT_TOKEN", "KIKU_TELEGRAM_WEBHOOK_SECRET")
                .doesNotContainKeys("KIKU_ADMIN_TOKEN", "KIKU_DB_PASSWORD", "KIKU_PADDLE_API_KEY");
        assertThat(secretRefs(container("api"))).doesNotContainKeys("KIKU_ADMIN_TOKEN", "KIKU_DB_PASSWORD",
                "KIKU_PADDLE_API_KEY", "KIKU_TELEGRAM_BOT_TOKEN");
    }

    /**
     * Least privilege between services: each one sends only its own token (KIKU_INTERNAL_TOKEN, from its own
     * Secret key) and holds only the tokens of the callers it serves: billing all three, webhook the bot's.
     */
    @Test
    void shouldGiveEachServiceOnlyItsOwnInternalTokenAndTheTokensOfItsCallers() {
        assertThat(internalTokenKeys(container("api")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("KIKU_INTERNAL_TOKEN", "KIKU_INTERNAL_TOKENS_API"));
        assertThat(internalTokenKeys(container("bot")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("KIKU_INTERNAL_TOKEN", "KIKU_INTERNAL_TOKENS_BOT"));
        assertThat(internalTokenKeys(container("webhook"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "KIKU_INTERNAL_TOKEN", "KIKU_INTERNAL_TOKENS_WEBHOOK",
                "KIKU_INTERNAL_TOKENS_BOT", "KIKU_INTERNAL_TOKENS_BOT"));
        assertThat(internalTokenKeys(container("billing"))).containsExactlyInAnyOrderEntriesOf(Map.of(
                "KIKU_INTERNAL_TOKENS_API", "KIKU_INTERNAL_TOKENS_API",
                "KIKU_INTERNAL_TOKENS_BOT", "KIKU_INTERNAL_TOKENS_BOT",
                "KIKU_INTERNAL_TOKENS_WEBHOOK", "KIKU_INTERNAL_TOKENS_WEBHOOK"));
        for (String service : PORTS.keySet()) {
            container(service).path("env").forEach(e -> {
                if (e.path("name").asText().startsWith("KIKU_INTERNAL_TOKEN")) {
                    assertThat(e.at("/valueFrom/secretKeyRef/optional").asBoolean(true))
                            .as("%s %s is required", service, e.path("name").asText()).isFalse();
                }
            });
        }
    }

    @Test
    void shouldRefuseTheOldSharedTokenAndOneTokenForTwoCallers() {
        assertThatThrownBy(() -> Chart.template(List.of(), "secrets.internalToken", "shared-0123456789"))
                .hasMessageContaining("secrets.internalTokens");
        assertThatThrownBy(() -> Chart.template(List.of(), "secrets.internalTokens.bot", "same-0123456789",
                "secrets.internalTokens.webhook", "same-0123456789"))
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> Chart.template(List.of("services:\n  api:\n    internalToken: root\n")))
                .hasMessageContaining("services.api.internalToken");
    }

    @Test
    void shouldScaleUpEveryServiceOnCpuAbove70SustainedForFiveMinutesAndNotOnMemory() {
        List<JsonNode> hpas = defaults.ofKind("HorizontalPodAutoscaler");
        assertThat(hpas).hasSize(4);
        for (JsonNode hpa : hpas) {
            assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
            String name = hpa.at("/metadata/name").asText();
            assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
            assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(name);
            Map<String, Integer> targets = new HashMap<>();
            hpa.at("/spec/metrics").forEach(m -> targets.put(m.at("/resource/name").asText(),
                    m.at("/resource/target/averageUtilization").asInt()));
            // a JVM's committed heap does not fall after load: a memory target would only ever scale up
            assertThat(targets).as(name).containsExactlyInAnyOrderEntriesOf(Map.of("cpu", 70));
            assertThat(hpa.at("/spec/behavior/scaleUp/stabilizationWindowSeconds").asInt()).isEqualTo(300);
            assertThat(hpa.at("/spec/minReplicas").asInt()).isGreaterThanOrEqualTo(2)
                    .isLessThanOrEqualTo(hpa.at("/spec/maxReplicas").asInt());
            // the HPA owns the replica count: a fixed one would fight it on every upgrade
            assertThat(defaults.get("Deployment", name).at("/spec/replicas").isMissingNode()).isTrue();
        }
        assertThat(defaults.get("HorizontalPodAutoscaler", "kiku-api").at("/spec/maxReplicas").asInt()).isEqualTo(10);
    }

    @Test
    void shouldPinTheReplicaCountAndRenderNoAutoscalerWhenAutoscalingIsOff() {
        Manifests manifests = Chart.render("autoscaling.enabled", false, "services.billing.replicaCount", 3);

        assertThat(manifests.ofKind("HorizontalPodAutoscaler")).isEmpty();
        assertThat(manifests.get("Deployment", "kiku-billing").at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @Test
    void shouldRouteOnlyPublicPathsThroughTheIngress() {
        Manifests manifests = Chart.render("ingress.enabled", true, "ingress.host", "api.kiku.example",
                "ingress.className", "nginx", "ingress.tlsSecretName", "kiku-tls");

        JsonNode ingress = manifests.get("Ingress", "kiku");
        Map<String, String> routes = new HashMap<>();
        for (JsonNode rule : ingress.at("/spec/rules")) {
            assertThat(rule.path("host").asText()).isEqualTo("api.kiku.example");
            for (JsonNode path : rule.at("/http/paths")) {
                routes.put(path.path("path").asText(), path.at("/backend/service/name").asText());
                assertThat(path.path("pathType").asText()).isEqualTo("Prefix");
            }
        }
        assertThat(routes).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/api/v1", "kiku-api",
                "/v1", "kiku-api",
                "/webhooks/paddle", "kiku-webhook",
                "/telegram/webhook", "kiku-bot"));
        assertThat(routes.keySet()).noneMatch(p -> p.startsWith("/internal") || p.startsWith("/admin") || p.startsWith("/q"));
        assertThat(routes.values()).doesNotContain("kiku-billing");
        assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("kiku-tls");
        assertThat(defaults.ofKind("Ingress")).as("no Ingress unless enabled").isEmpty();
    }

    @Test
    void shouldRefuseToRenderAnIngressThatWouldExposeInternalAdminOrQuarkusPaths() {
        for (String forbidden : List.of("/internal/v1", "/admin", "/q/metrics", "/Admin/v1", "/")) {
            assertThatThrownBy(() -> Chart.template(List.of("services:\n  billing:\n    ingressPaths: [\"" + forbidden + "\"]\n"),
                    "ingress.enabled", true, "ingress.host", "api.kiku.example"))
                    .as(forbidden)
                    .hasMessageContaining("is not public");
        }
    }

    @Test
    void shouldNeverPutSecretsInTheConfigMap() {
        Map<String, String> secrets = Map.of(
                "secrets.adminToken", "admin-0123456789",
                "secrets.internalTokens.api", "internal-api-0123456789",
                "secrets.internalTokens.bot", "internal-bot-0123456789",
                "secrets.internalTokens.webhook", "internal-webhook-0123456789",
                "postgresql.password", "db-password-0123456789",
                "redis.password", "redis-password-0123456789",
                "secrets.paddleWebhookSecrets", "pdl_ntfset_0123456789",
                "secrets.paddleApiKey", "pdl_apikey_0123456789",
                "secrets.telegramBotToken", "123456:telegram-0123456789",
                "secrets.telegramWebhookSecret", "tg-hook-0123456789");
        List<Object> sets = new ArrayList<>();
        secrets.forEach((k, v) -> { sets.add(k); sets.add(v); });
        Manifests manifests = Chart.render(sets.toArray());

        String configMap = manifests.get("ConfigMap", "kiku").toString();
        for (String value : secrets.values()) {
            assertThat(configMap).doesNotContain(value);
        }
        assertThat(manifests.configData().keySet())
                .noneMatch(k -> k.contains("TOKEN") || k.contains("PASSWORD") || k.contains("SECRET") || k.contains("API_KEY"));
        Map<String, String> secret = secretData(manifests.get("Secret", "kiku"));
        assertThat(secret).containsExactlyInAnyOrderEntriesOf(Map.of(
                "KIKU_ADMIN_TOKEN", "admin-0123456789",
                "KIKU_INTERNAL_TOKENS_API", "internal-api-0123456789",
                "KIKU_INTERNAL_TOKENS_BOT", "internal-bot-0123456789",
                "KIKU_INTERNAL_TOKENS_WEBHOOK", "internal-webhook-0123456789",
                "KIKU_DB_PASSWORD", "db-password-0123456789",
                "QUARKUS_REDIS_PASSWORD", "redis-password-0123456789",
                "KIKU_PADDLE_WEBHOOK_SECRETS", "pdl_ntfset_0123456789",
                "KIKU_PADDLE_API_KEY", "pdl_apikey_0123456789",
                "KIKU_TELEGRAM_BOT_TOKEN", "123456:telegram-0123456789",
                "KIKU_TELEGRAM_WEBHOOK_SECRET", "tg-hook-0123456789"));
    }

    @Test
    void shouldRefuseSecretLookingNamesInThePlainConfigExtras() {
        assertThatThrownBy(() -> Chart.template(List.of(), "config.extraEnv.KIKU_PROVIDERS_OPENAI_API_KEY", "sk-123"))
                .hasMessageContaining("looks like a secret");
    }

    @Test
    void shouldGenerateTheServiceTokensWhenNoneAreGiven() {
        Map<String, String> secret = secretData(defaults.get("Secret", "kiku"));

        assertThat(secret).containsOnlyKeys("KIKU_ADMIN_TOKEN", "KIKU_INTERNAL_TOKENS_API", "KIKU_INTERNAL_TOKENS_BOT",
                "KIKU_INTERNAL_TOKENS_WEBHOOK");
        assertThat(secret.values()).allSatisfy(token -> assertThat(token).hasSize(48)).doesNotHaveDuplicates();
    }

    @Test
    void shouldUseTheOperatorsExistingSecretInsteadOfCreatingOne() {
        Manifests manifests = Chart.render("existingSecret", "kiku-prod-secrets", "secrets.adminToken", "ignored");

        assertThat(manifests.ofKind("Secret")).isEmpty();
        for (String service : PORTS.keySet()) {
            assertThat(secretRefs(Manifests.container(manifests.get("Deployment", "kiku-" + service))).values())
                    .as(service).isNotEmpty().containsOnly("kiku-prod-secrets");
        }
    }

    @Test
    void shouldRemoveEveryObjectOfADisabledService() {
        Manifests manifests = Chart.render("services.bot.enabled", false, "ingress.enabled", true,
                "ingress.host", "api.kiku.example", "networkPolicy.enabled", true);

        assertThat(manifests.objects).noneMatch(o -> o.at("/metadata/name").asText().equals("kiku-bot"));
        assertThat(manifests.objects).noneMatch(o -> "bot".equals(o.at("/metadata/labels/app.kubernetes.io~1component").asText()));
        assertThat(manifests.ofKind("Deployment")).hasSize(3);
        assertThat(manifests.ofKind("HorizontalPodAutoscaler")).hasSize(3);
        assertThat(manifests.ofKind("PodDisruptionBudget")).hasSize(3);
        assertThat(manifests.ofKind("NetworkPolicy")).hasSize(3);
        assertThat(manifests.get("Ingress", "kiku").toString()).doesNotContain("/telegram/webhook").doesNotContain("kiku-bot");
    }

    @Test
    void shouldFailWithAClearMessageWhenARequiredValueIsMissing() {
        assertThatThrownBy(() -> Chart.template(List.of(), "redis.hosts", ""))
                .hasMessageContaining("redis.hosts is required");
        assertThatThrownBy(() -> Chart.template(List.of(), "postgresql.host", ""))
                .hasMessageContaining("postgresql.host is required");
        assertThatThrownBy(() -> Chart.template(List.of(), "ingress.enabled", true))
                .hasMessageContaining("ingress.host is required");
    }

    @Test
    void shouldDrainInPreStopAndGiveEveryPodTimeToFinishItsLongestStream() {
        for (String service : PORTS.keySet()) {
            JsonNode deployment = defaults.get("Deployment", "kiku-" + service);
            JsonNode container = Manifests.container(deployment);
            Map<String, String> env = env(container);
            long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();

            assertThat(container.at("/lifecycle/preStop/exec/command").toString()).isEqualTo("[\"sleep\",\"5\"]");
            assertThat(env).containsEntry("KIKU_SHUTDOWN_DRAIN_DELAY", "5s");
            long timeout = Long.parseLong(env.get("KIKU_SHUTDOWN_TIMEOUT").replace("s", ""));
            // preStop sleep + the service's own drain delay + its close phase (at most the drain delay again, while
            // the balancer idles its connections out) + its in-flight bound, with room to exit
            assertThat(grace).as("%s grace period", service).isGreaterThan(5 + 5 + 5 + timeout);
        }
        Map<String, String> api = env(Manifests.container(defaults.get("Deployment", "kiku-api")));
        assertThat(api).containsEntry("KIKU_API_MAX_STREAM_DURATION", "600s").containsEntry("KIKU_SHUTDOWN_TIMEOUT", "615s");
        assertThat(defaults.get("Deployment", "kiku-api").at("/spec/template/spec/terminationGracePeriodSeconds").asLong())
                .isGreaterThan(600 + 5).isEqualTo(5 + 5 + 5 + 615 + 10);
        assertThat(Manifests.container(defaults.get("Deployment", "kiku-billing")).path("env").toString())
                .doesNotContain("KIKU_API_MAX_STREAM_DURATION");

        Manifests longer = Chart.render("shutdown.drainSeconds", 15, "services.api.maxStreamSeconds", 1800,
                "services.api.shutdownTimeoutSeconds", 1830);
        JsonNode deployment = longer.get("Deployment", "kiku-api");
        assertThat(Manifests.container(deployment).at("/lifecycle/preStop/exec/command/1").asText()).isEqualTo("15");
        assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong()).isEqualTo(15 + 15 + 15 + 1830 + 10);
    }

    @Test
    void shouldRefuseAShutdownTimeoutThatAStreamInFlightWouldOutlive() {
        assertThatThrownBy(() -> Chart.template(List.of(), "services.api.maxStreamSeconds", 900))
                .hasMessageContaining("services.api.shutdownTimeoutSeconds (615) must exceed maxStreamSeconds (900)");
    }

    @Test
    void shouldRunAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp() {
        for (String service : PORTS.keySet()) {
            JsonNode deployment = defaults.get("Deployment", "kiku-" + service);
            JsonNode container = Manifests.container(deployment);
            assertThat(deployment.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(container.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
            assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
            JsonNode volume = deployment.at("/spec/template/spec/volumes/0");
            assertThat(volume.path("name").asText()).isEqualTo(container.at("/volumeMounts/0/name").asText());
            assertThat(volume.has("emptyDir")).isTrue();
        }
    }

    @Test
    void shouldAnnotatePodsForPrometheusToScrapeQMetrics() {
        PORTS.forEach((service, port) -> {
            JsonNode annotations = defaults.get("Deployment", "kiku-" + service).at("/spec/template/metadata/annotations");
            assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
            assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
            assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(port));
        });
    }

    @Test
    void shouldLetOnlyKikuPodsReachBillingWhenNetworkPoliciesAreOn() {
        assertThat(defaults.ofKind("NetworkPolicy")).as("off by default").isEmpty();
        Manifests manifests = Chart.render("networkPolicy.enabled", true);

        JsonNode billing = manifests.get("NetworkPolicy", "kiku-billing");
        assertThat(billing.at("/spec/podSelector/matchLabels/app.kubernetes.io~1component").asText()).isEqualTo("billing");
        assertThat(billing.at("/spec/policyTypes").toString()).contains("Ingress");
        List<JsonNode> peers = peers(billing);
        List<JsonNode> podPeers = peers.stream().filter(p -> p.has("podSelector")).collect(Collectors.toList());
        assertThat(podPeers).hasSize(1);
        assertThat(podPeers.get(0).at("/podSelector/matchLabels/app.kubernetes.io~1instance").asText()).isEqualTo("kiku");
        assertThat(podPeers.get(0).has("namespaceSelector")).isFalse();
        // the only other peer is Prometheus' namespace, not the ingress controller
        assertThat(peers).filteredOn(p -> p.has("namespaceSelector")).singleElement()
                .satisfies(p -> assertThat(p.toString()).contains("monitoring").doesNotContain("ingress-nginx"));
        assertThat(peers).noneMatch(p -> p.has("ipBlock"));

        assertThat(peers(manifests.get("NetworkPolicy", "kiku-webhook")).toString()).contains("ingress-nginx")
                .contains("app.kubernetes.io/instance");
        // api serves no other kiku pod: only helm test's Pod (component "test") among the release's pods
        List<JsonNode> apiPeers = peers(manifests.get("NetworkPolicy", "kiku-api"));
        assertThat(apiPeers.toString()).contains("ingress-nginx");
        assertThat(apiPeers).filteredOn(p -> p.toString().contains("app.kubernetes.io/instance")).singleElement()
                .satisfies(p -> assertThat(p.at("/podSelector/matchLabels/app.kubernetes.io~1component").asText())
                        .isEqualTo("test"));
    }

    @Test
    void shouldGiveEveryServiceADisruptionBudgetAndItsOwnSelector() {
        assertThat(defaults.ofKind("PodDisruptionBudget")).hasSize(4).allSatisfy(pdb -> {
            assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
            String component = pdb.at("/spec/selector/matchLabels/app.kubernetes.io~1component").asText();
            assertThat(pdb.at("/metadata/name").asText()).isEqualTo("kiku-" + component);
        });
        assertThat(defaults.get("ServiceAccount", "kiku").path("automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @Test
    void shouldRenderTheProductionExampleValues() {
        Manifests manifests = Chart.renderWithValuesFile(productionValues());

        assertThat(manifests.ofKind("Secret")).isEmpty();
        assertThat(manifests.configData().get("KIKU_REDIS_HOSTS").split(",")).hasSize(3);
        assertThat(manifests.ofKind("Deployment")).hasSize(4);
        assertThat(manifests.ofKind("Ingress")).hasSize(1);
        assertThat(manifests.raw).contains("NetworkPolicy");
    }

    @Test
    void shouldInstallTheProductionExampleAsADryRunAndTellOperatorsWhereEverythingIs() {
        Release release = Chart.installDryRun(productionValues());

        assertThat(release.getStatus()).isEqualTo("pending-install");
        assertThat(release.getOutput())
                .contains("KikuAI 1.0.0 is deployed as release kiku")
                .contains("https://api.kiku.example/webhooks/paddle -> webhook")
                .contains("port-forward svc/kiku-billing 8083:8083")
                .contains("Secret \"kiku-secrets\"")
                .doesNotContain("https://api.kiku.example/admin")
                .doesNotContain("https://api.kiku.example/internal");
    }

    private static Path productionValues() {
        return Path.of(System.getProperty("kiku.production.values", "../deploy/values-production.yaml"));
    }

    private static JsonNode container(String service) {
        return Manifests.container(defaults.get("Deployment", "kiku-" + service));
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> { if (e.has("value")) env.put(e.path("name").asText(), e.path("value").asText()); });
        return env;
    }

    /** env name → name of the Secret it is read from (the key is the env name, but for KIKU_INTERNAL_TOKEN). */
    private static Map<String, String> secretRefs(JsonNode container) {
        Map<String, String> refs = new HashMap<>();
        container.path("env").forEach(e -> {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                if (!e.path("name").asText().equals("KIKU_INTERNAL_TOKEN")) {
                    assertThat(ref.path("key").asText()).isEqualTo(e.path("name").asText());
                }
                refs.put(e.path("name").asText(), ref.path("name").asText());
            }
        });
        return refs;
    }

    /** env name → Secret key, of the service-token variables only. */
    private static Map<String, String> internalTokenKeys(JsonNode container) {
        Map<String, String> keys = new HashMap<>();
        container.path("env").forEach(e -> {
            if (e.path("name").asText().startsWith("KIKU_INTERNAL_TOKEN")) {
                keys.put(e.path("name").asText(), e.at("/valueFrom/secretKeyRef/key").asText());
            }
        });
        return keys;
    }

    private static Map<String, String> secretData(JsonNode secret) {
        Map<String, String> data = new HashMap<>();
        secret.path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
        return data;
    }

    private static List<JsonNode> peers(JsonNode policy) {
        return StreamSupport.stream(policy.at("/spec/ingress").spliterator(), false)
                .flatMap(rule -> StreamSupport.stream(rule.path("from").spliterator(), false))
                .collect(Collectors.toList());
    }
}
