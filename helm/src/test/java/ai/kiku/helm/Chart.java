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

    /** {@code helm lint --strict} of a copy of the chart whose values.yaml is {@code valuesYaml}. */
    static LintResult lintWithValues(String valuesYaml) {
        try {
            Path copy = copy();
            Files.writeString(copy.resolve("values.yaml"), valuesYaml);
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renders the hooks too (the migration Job and its Secret). helm-java's template returns the release manifest,
     * which leaves hooks out; so this renders a copy of the chart whose helm.sh/hook annotations are renamed to
     * {@link #HOOK}, which makes them plain objects (the annotations stay, under that name, for the tests to read).
     */
    static Manifests renderWithHooks(Path valuesFile) {
        return new Manifests(new Helm(hooksVisible()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("secrets.reuseLiveSecret", false).set("secrets.generateWithoutCluster", true)
                .withValuesFile(valuesFile).call());
    }

    static Manifests renderWithHooks(List<String> valuesYaml, Object... keyValues) {
        return new Manifests(templateAsIs(hooksVisible(), valuesYaml, withDefaults(keyValues)));
    }

    /** The name helm.sh/hook annotations have in {@link #renderWithHooks}. */
    static final String HOOK = "test.kiku.ai/hook";

    private static Path hooksVisible;

    private static synchronized Path hooksVisible() {
        if (hooksVisible == null) {
            try {
                Path copy = copy();
                try (var files = Files.walk(copy.resolve("templates"))) {
                    for (Path template : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".yaml"))::iterator) {
                        Files.writeString(template, Files.readString(template).replace("helm.sh/hook", HOOK));
                    }
                }
                hooksVisible = copy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hooksVisible;
    }

    private static Path copy() throws IOException {
        Path copy = Files.createTempDirectory("kiku-chart");
        try (var files = Files.walk(DIR)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = copy.resolve(DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return copy;
    }

    /** Renders with the chart's defaults plus {@code --set key=value} pairs. */
    static Manifests render(Object... keyValues) {
        return render(List.of(), keyValues);
    }

    /** Renders with values files (YAML text, applied in order) plus {@code --set key=value} pairs. */
    static Manifests render(List<String> valuesYaml, Object... keyValues) {
        return new Manifests(template(valuesYaml, keyValues));
    }

    /**
     * {@code helm install --dry-run=client}: what {@code helm upgrade --install} would apply, NOTES included. No
     * lookup of live Secrets: helm-java's client-only dry run still dials the default cluster (localhost:8080), so a
     * lookup would make the result depend on whatever listens there.
     */
    static Release installDryRun(Path valuesFile) {
        return new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly()
                .set("secrets.reuseLiveSecret", false).set("secrets.generateWithoutCluster", true)
                .withValuesFile(valuesFile).call();
    }

    static Manifests renderWithValuesFile(Path valuesFile) {
        TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE)
                .set("secrets.reuseLiveSecret", false).set("secrets.generateWithoutCluster", true)
                .withValuesFile(valuesFile);
        return new Manifests(command.call());
    }

    /** The raw output of {@code helm template}; throws what Helm reports when the render fails. */
    static String template(List<String> valuesYaml, Object... keyValues) {
        return templateAsIs(valuesYaml, withDefaults(keyValues));
    }

    /** No cluster here: Helm's lookup would try to reach one (helm-java's template is not client-only), so none,
     * and generated tokens are accepted; a later pair for the same key wins. */
    private static Object[] withDefaults(Object... keyValues) {
        Object[] all = new Object[keyValues.length + 4];
        all[0] = "secrets.reuseLiveSecret";
        all[1] = false;
        all[2] = "secrets.generateWithoutCluster";
        all[3] = true;
        System.arraycopy(keyValues, 0, all, 4, keyValues.length);
        return all;
    }

    /** {@code helm template} with exactly these values files and pairs, none of the defaults above. */
    static String templateAsIs(List<String> valuesYaml, Object... keyValues) {
        return templateAsIs(DIR, valuesYaml, keyValues);
    }

    private static String templateAsIs(Path chart, List<String> valuesYaml, Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("key/value pairs expected");
        }
        TemplateCommand command = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
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
