package ai.kiku.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kiku chart as real Helm (helm-java) renders it, parsed into Kubernetes objects. */
final class Chart {

    static final String RELEASE = "kiku";
    static final String NAMESPACE = "kiku-test";
    static final Path DIR = Path.of(System.getProperty("kiku.chart.dir", "kiku")).toAbsolutePath().normalize();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Chart() {
    }

    static LintResult lint() {
        return new Helm(DIR).lint().strict().call();
    }

    /** Renders with the chart's defaults plus {@code --set key=value} pairs. */
    static Manifests render(Object... keyValues) {
        return render(List.of(), keyValues);
    }

    /** Renders with values files (YAML text, applied in order) plus {@code --set key=value} pairs. */
    static Manifests render(List<String> valuesYaml, Object... keyValues) {
        return new Manifests(template(valuesYaml, keyValues));
    }

    /** {@code helm install --dry-run=client}: what {@code helm upgrade --install} would apply, NOTES included. */
    static Release installDryRun(Path valuesFile) {
        return new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly()
                .withValuesFile(valuesFile).call();
    }

    static Manifests renderWithValuesFile(Path valuesFile) {
        TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("secrets.reuseLiveSecret", false).withValuesFile(valuesFile);
        return new Manifests(command.call());
    }

    /** The raw output of {@code helm template}; throws what Helm reports when the render fails. */
    static String template(List<String> valuesYaml, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        // No cluster here: Helm's lookup would try to reach one (helm-java's template is not client-only).
        TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("secrets.reuseLiveSecret", false);
        List<Path> files = new ArrayList<>();
        try {
            for (String yaml : valuesYaml) {
                Path file = Files.createTempFile("kiku-values", ".yaml");
                Files.writeString(file, yaml);
                files.add(file);
                command = command.withValuesFile(file);
            }
            for (int i = 0; i < keyValues.length; i += 2) {
                command = command.set((String) keyValues[i], keyValues[i + 1]);
            }
            return command.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            files.forEach(f -> f.toFile().delete());
        }
    }

    /** The objects of one render. */
    static final class Manifests {
        final String raw;
        final List<JsonNode> objects;

        Manifests(String raw) {
            this.raw = raw;
            try {
                this.objects = YAML.readValues(YAML.getFactory().createParser(raw), JsonNode.class).readAll()
                        .stream().filter(n -> n != null && n.isObject() && n.has("kind")).collect(Collectors.toList());
            } catch (IOException e) {
                throw new UncheckedIOException("helm rendered unparseable YAML:\n" + raw, e);
            }
        }

        List<JsonNode> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).collect(Collectors.toList());
        }

        Optional<JsonNode> find(String kind, String name) {
            return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
        }

        JsonNode get(String kind, String name) {
            return find(kind, name).orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered; got "
                    + objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
                    .collect(Collectors.toList())));
        }

        /** The ConfigMap's data as a map. */
        Map<String, String> configData() {
            Map<String, String> data = new LinkedHashMap<>();
            get("ConfigMap", RELEASE).path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            return data;
        }

        static JsonNode container(JsonNode deployment) {
            JsonNode containers = deployment.path("spec").path("template").path("spec").path("containers");
            return containers.size() == 1 ? containers.get(0) : MissingNode.getInstance();
        }
    }
}
