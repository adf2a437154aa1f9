package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The stage 1 and 2 compose files (deploy/compose), checked by parsing: no Docker engine runs in the build. */
class ComposeFilesTest {

    private static final Path DIR = ServiceReference.SOURCES.resolve("deploy/compose");
    /** Read once the Redis-modes change (kiku.redis.mode=cluster|standalone|sentinel, issue 14) lands. */
    private static final Set<String> PENDING_REDIS_MODE_NAMES = Set.of("KIKU_REDIS_MODE", "KIKU_REDIS_MASTER_NAME");
    private static final Pattern SECRET_NAME = Pattern.compile("TOKEN|PASSWORD|SECRET|API_KEY");
    private static final Pattern FROM_ENV_FILE = Pattern.compile("^\\$\\{([A-Z0-9_]+)(?::[?-][^}]*)?}$");

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.stage1.yml", "docker-compose.stage2.yml"})
    void shouldStartEveryServiceOnlyAfterItsDependenciesAreHealthyAndCheckReadiness(String file) throws IOException {
        JsonNode services = read(file).path("services");
        assertThat(services.size()).isGreaterThanOrEqualTo(6);
        services.fields().forEachRemaining(s -> {
            String name = s.getKey();
            JsonNode svc = s.getValue();
            assertThat(svc.at("/healthcheck/test").isArray()).as(name + " healthcheck").isTrue();
            svc.path("depends_on").fields().forEachRemaining(d -> {
                assertThat(services.has(d.getKey())).as(name + " depends on " + d.getKey()).isTrue();
                assertThat(d.getValue().path("condition").asText()).as(name + " -> " + d.getKey()).isEqualTo("service_healthy");
            });
        });
        for (String service : ServiceReference.SERVICES) {
            JsonNode svc = services.path(service);
            assertThat(svc.at("/build/args/SERVICE").asText()).isEqualTo(service + "-service");
            assertThat(svc.at("/build/dockerfile").asText()).isEqualTo("deploy/Dockerfile.jvm");
            int port = ServiceReference.generatedDeployment(service).at("/spec/template/spec/containers/0/ports/0/containerPort").asInt();
            assertThat(svc.at("/healthcheck/test").toString()).as(service)
                    .contains("\"http://127.0.0.1:" + port + "/q/health/ready\"");
            List<String> ports = new ArrayList<>();
            svc.path("ports").forEach(p -> ports.add(p.asText().replaceAll(".*:", "")));
            svc.path("expose").forEach(p -> ports.add(p.asText()));
            assertThat(ports).as(service + " ports").containsExactly(String.valueOf(port));
            assertThat(svc.path("depends_on").size()).as(service + " waits for its stores at least").isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.stage1.yml", "docker-compose.stage2.yml"})
    void shouldSetOnlyEnvironmentNamesTheServicesRead(String file) throws IOException {
        JsonNode services = read(file).path("services");
        List<String> unread = new ArrayList<>();
        for (String service : ServiceReference.SERVICES) {
            Set<String> reads = ServiceReference.environmentNames(service);
            services.path(service).path("environment").fieldNames().forEachRemaining(env -> {
                if (!PENDING_REDIS_MODE_NAMES.contains(env) && !ServiceReference.reads(reads, env)) {
                    unread.add(service + ": " + env);
                }
            });
        }
        assertThat(unread).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.stage1.yml", "docker-compose.stage2.yml"})
    void shouldTakeEverySecretFromTheEnvFileWhichIsNeverCommitted(String file) throws IOException {
        Map<String, String> example = envExample();
        List<String> inlined = new ArrayList<>();
        read(file).path("services").fields().forEachRemaining(s -> s.getValue().path("environment").fields()
                .forEachRemaining(e -> {
                    if (SECRET_NAME.matcher(e.getKey()).find()) {
                        Matcher m = FROM_ENV_FILE.matcher(e.getValue().asText());
                        if (!m.matches() || !"".equals(example.get(m.group(1)))) {
                            inlined.add(s.getKey() + ": " + e.getKey() + "=" + e.getValue().asText());
                        }
                    }
                }));
        assertThat(inlined).as("secrets not taken from .env (blank in .env.example)").isEmpty();
        assertThat(Files.readAllLines(DIR.resolve(".gitignore"))).contains(".env");
    }

    @Test
    void shouldHaveEveryStage2DataServerRefuseWritesNoReplicaAcknowledged() throws IOException {
        JsonNode services = read("docker-compose.stage2.yml").path("services");
        for (String server : List.of("redis-primary", "redis-replica")) {
            List<String> command = new ArrayList<>();
            services.path(server).path("command").forEach(a -> command.add(a.asText()));
            // a failover's old primary must not take writes its resync discards (docs/operations.md)
            assertThat(String.join(" ", command)).as(server)
                    .contains("--min-replicas-to-write 1").contains("--min-replicas-max-lag 3");
        }
    }

    private static JsonNode read(String file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(DIR.resolve(file).toFile());
    }

    private static Map<String, String> envExample() throws IOException {
        Map<String, String> values = new HashMap<>();
        for (String line : Files.readAllLines(DIR.resolve(".env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return values;
    }
}
