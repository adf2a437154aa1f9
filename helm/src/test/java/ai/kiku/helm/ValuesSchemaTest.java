package ai.kiku.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** values.schema.json: every value is described, and a misspelled or mistyped one fails lint, template and install. */
class ValuesSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldFailLintAndTemplateOnAMisspelledValue() throws IOException {
        String misspelled = defaults().replace("targetCPUUtilizationPercentage:", "targetCpuUtilizationPercentage:");

        LintResult lint = Chart.lintWithValues(misspelled);

        assertThat(lint.isFailed()).as("helm lint of %s", "targetCpuUtilizationPercentage").isTrue();
        assertThat(lint.getMessages().toString()).contains("targetCpuUtilizationPercentage");
        assertThatThrownBy(() -> Chart.template(List.of("autoscaling:\n  targetCpuUtilizationPercentage: 50\n")))
                .hasMessageContaining("targetCpuUtilizationPercentage");
        assertThatThrownBy(() -> Chart.template(List.of("services:\n  api:\n    maxStreamSecond: 900\n")))
                .hasMessageContaining("maxStreamSecond");
        assertThatThrownBy(() -> Chart.template(List.of("services:\n  search:\n    enabled: true\n")))
                .hasMessageContaining("search");
    }

    @Test
    void shouldFailLintAndTemplateOnAValueOfTheWrongType() throws IOException {
        String mistyped = defaults().replace("    port: 8080\n", "    port: \"eighty\"\n");

        LintResult lint = Chart.lintWithValues(mistyped);

        assertThat(lint.isFailed()).isTrue();
        assertThat(lint.getMessages().toString()).contains("port");
        assertThatThrownBy(() -> Chart.template(List.of(), "autoscaling.enabled", "yes"))
                .hasMessageContaining("autoscaling");
        assertThatThrownBy(() -> Chart.template(List.of("services:\n  api:\n    ingressPaths: /v1\n")))
                .hasMessageContaining("ingressPaths");
        assertThatThrownBy(() -> Chart.template(List.of("topologySpread:\n  whenUnsatisfiable: Sometimes\n")))
                .hasMessageContaining("whenUnsatisfiable");
        assertThatThrownBy(() -> Chart.template(List.of("securityContext:\n  readOnlyRootFilesystem: false\n")))
                .hasMessageContaining("readOnlyRootFilesystem");
    }

    @Test
    void shouldFailAnInstallWithABrokenValuesFile() throws IOException {
        Path broken = Files.createTempFile("kiku-broken", ".yaml");
        try {
            Files.writeString(broken, "existingSecret: kiku-secrets\nredis:\n  host: redis://one:6379\n");

            assertThatThrownBy(() -> Chart.installDryRun(broken)).hasMessageContaining("host");
        } finally {
            Files.delete(broken);
        }
    }

    /** Every key of values.yaml has its place in the schema (a property, or an entry of a described map). */
    @Test
    void shouldDescribeEveryValueOfValuesYamlInTheSchema() throws IOException {
        JsonNode values = YAML.readTree(defaults());
        JsonNode schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
        List<String> undescribed = new ArrayList<>();

        walk(values, schema, schema, "", undescribed);

        assertThat(undescribed).isEmpty();
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    }

    private static void walk(JsonNode value, JsonNode schema, JsonNode root, String path, List<String> undescribed) {
        JsonNode node = resolve(schema, root);
        if (!value.isObject()) {
            return;
        }
        value.fields().forEachRemaining(field -> {
            String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode property = node.path("properties").path(field.getKey());
            if (property.isMissingNode()) {
                JsonNode entries = node.path("additionalProperties");
                if (entries.isObject()) {
                    walk(field.getValue(), entries, root, at, undescribed);
                } else {
                    undescribed.add(at);
                }
                return;
            }
            if (!resolve(property, root).has("type") && !resolve(property, root).has("const")) {
                undescribed.add(at + " (no type)");
            }
            walk(field.getValue(), property, root, at, undescribed);
        });
    }

    private static JsonNode resolve(JsonNode schema, JsonNode root) {
        String ref = schema.path("$ref").asText("");
        return ref.isEmpty() ? schema : root.at(ref.substring(1));
    }

    private static String defaults() throws IOException {
        return Files.readString(Chart.DIR.resolve("values.yaml"));
    }
}
