package ai.kiku.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What each service says about itself: quarkus-kubernetes' generated manifest, and the config names its code reads. */
final class ServiceReference {

    static final List<String> SERVICES = List.of("api", "bot", "webhook", "billing");
    static final Path SOURCES = Path.of(System.getProperty("kiku.sources.dir", "..")).toAbsolutePath().normalize();

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PROPERTY_KEY = Pattern.compile("(?m)^(?:%[a-z-]+\\.)?(kiku\\.[A-Za-z0-9.\\-\\[\\]]+)\\s*=");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9._\\-]*)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern MAPPING_METHOD = Pattern.compile("(?m)^\\s+(?:@[^\\n]*\\n\\s+)*[\\w<>, ?.\\[\\]]+\\s+(\\w+)\\(\\)\\s*;");

    private ServiceReference() {
    }

    /** The Deployment quarkus-kubernetes wrote at {@code package}; fails (never skips) when it is missing. */
    static JsonNode generatedDeployment(String service) {
        Path file = SOURCES.resolve(service + "-service/target/kubernetes/kubernetes.yml");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " is missing: quarkus-kubernetes writes it when " + service
                    + "-service is packaged; the helm module depends on the services, so run it with -am up to package "
                    + "or verify (e.g. ./mvnw -pl helm -am verify)");
        }
        try {
            return YAML.readValues(YAML.getFactory().createParser(file.toFile()), JsonNode.class).readAll().stream()
                    .filter(n -> "Deployment".equals(n.path("kind").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("no Deployment in " + file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The environment names a service reads: its kiku.* properties and expressions, @ConfigProperty names and
     * @ConfigMapping members (its own module and common), each in MicroProfile Config's environment form.
     * A name ending in "_" is a prefix (a mapping group or map), matched by any longer name.
     */
    static Set<String> environmentNames(String service) {
        Set<String> names = new TreeSet<>();
        for (Path module : List.of(SOURCES.resolve(service + "-service"), SOURCES.resolve("common"))) {
            for (Path file : files(module.resolve("src/main"))) {
                String text = read(file);
                if (file.toString().endsWith(".properties")) {
                    find(PROPERTY_KEY, text).forEach(k -> names.add(env(k)));
                    find(EXPRESSION, text).forEach(k -> names.add(env(k)));
                } else {
                    find(CONFIG_PROPERTY, text).forEach(k -> names.add(env(k)));
                    find(MAPPING, text).forEach(prefix -> find(MAPPING_METHOD, text)
                            .forEach(m -> names.add(env(prefix + "." + kebab(m)) + "_")));
                }
            }
        }
        names.removeIf(n -> !n.startsWith("KIKU_"));
        return names;
    }

    static boolean reads(Set<String> names, String env) {
        return names.contains(env) || names.contains(env + "_")
                || names.stream().anyMatch(n -> n.endsWith("_") && env.startsWith(n));
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".properties"))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** MicroProfile Config's environment form: upper case, every non-alphanumeric character an underscore. */
    static String env(String property) {
        return property.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }
}
