package ai.kiku.testing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keeps the README's configuration table the one place a setting is documented: every {@code kiku.*} setting a
 * module reads (its {@code @ConfigMapping}s, {@code @ConfigProperty}s and properties files) must have a row there,
 * and a default set in code or properties must be the one the row names.
 */
public final class SettingsDocs {

    /** A setting as the code sees it; map keys are written {@code *}. */
    public record Setting(String name, Optional<String> defaultValue, String source) { }

    private static final Pattern CONFIG_PROPERTY = Pattern.compile(
            "@ConfigProperty\\(\\s*name\\s*=\\s*\"(kiku\\.[^\"]+)\"(?:\\s*,\\s*defaultValue\\s*=\\s*\"([^\"]*)\")?");
    private static final Pattern MAPPING = Pattern.compile("(?m)^@ConfigMapping\\(");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern MAP_KEY = Pattern.compile("\"?<[^>]+>\"?");

    private SettingsDocs() {
    }

    /** The problems found for one module (its directory holds {@code src/main}); empty when the table is right. */
    public static List<String> problems(Path moduleDir, Path readme) {
        Map<String, List<String>> table = table(readme);
        List<String> problems = new ArrayList<>();
        for (Setting s : settings(moduleDir)) {
            List<String> documented = table.get(s.name());
            if (documented == null) {
                problems.add(s.name() + " (" + s.source() + ") has no row in " + readme.getFileName());
            } else if (s.defaultValue().isPresent() && !documented.contains(s.defaultValue().get())) {
                problems.add(s.name() + " (" + s.source() + ") defaults to `" + s.defaultValue().get()
                        + "` but the table says " + documented);
            }
        }
        return problems;
    }

    /** Every {@code kiku.*} setting the module reads, with the defaults its code and properties give. */
    public static List<Setting> settings(Path moduleDir) {
        List<Setting> all = new ArrayList<>();
        Path java = moduleDir.resolve("src/main/java");
        for (Path file : files(java, ".java")) {
            String text = read(file);
            Matcher m = CONFIG_PROPERTY.matcher(text);
            while (m.find()) {
                all.add(new Setting(m.group(1), Optional.ofNullable(m.group(2)), file.getFileName().toString()));
            }
            if (MAPPING.matcher(text).find()) {
                String name = java.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                all.addAll(fromMapping(load(name)));
            }
        }
        for (Path props : files(moduleDir.resolve("src/main/resources"), ".properties")) {
            all.addAll(fromProperties(props));
        }
        return all;
    }

    /** The settings of a {@code @ConfigMapping} interface, nested groups and maps included. */
    public static List<Setting> fromMapping(Class<?> mapping) {
        List<Setting> out = new ArrayList<>();
        walk(mapping, mapping.getAnnotation(ConfigMapping.class).prefix(), mapping.getSimpleName(), out);
        return out;
    }

    private static void walk(Class<?> type, String prefix, String source, List<Setting> out) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || m.getParameterCount() > 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (m.isAnnotationPresent(WithName.class) ? m.getAnnotation(WithName.class).value()
                    : kebab(m.getName()));
            Type t = m.getGenericReturnType();
            if (t instanceof ParameterizedType p && p.getRawType() == Optional.class) {
                t = p.getActualTypeArguments()[0];
            }
            if (t instanceof ParameterizedType p && p.getRawType() == Map.class) {
                name = name + ".*";
                t = p.getActualTypeArguments()[1];
            }
            if (t instanceof Class<?> c && c.isInterface() && !c.getName().startsWith("java.")) {
                walk(c, name, source, out);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.add(new Setting(name, Optional.ofNullable(d).map(WithDefault::value), source));
            }
        }
    }

    /** Non-profile {@code kiku.*} keys of a properties file; a value built from expressions is not a default. */
    public static List<Setting> fromProperties(Path file) {
        List<Setting> out = new ArrayList<>();
        for (String line : read(file).split("\n")) {
            line = line.strip();
            int eq = line.indexOf('=');
            if (!line.startsWith("kiku.") || eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1).strip();
            out.add(new Setting(line.substring(0, eq).strip(),
                    value.contains("${") ? Optional.empty() : Optional.of(value), file.getFileName().toString()));
        }
        return out;
    }

    /**
     * The table rows: each setting named in a row's first cell (a later name without {@code kiku.} is relative to the
     * first one's parent: {@code `kiku.api.usage-l1-ttl` / `usage-l2-ttl`}) → the backticked values of its
     * default cell: the one in the same position when the cell lists one per name, else all of them.
     */
    public static Map<String, List<String>> table(Path readme) {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : read(readme).split("\n")) {
            if (!line.startsWith("| `kiku.")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|");
            List<String> names = backticked(cells[1]);
            List<String> defaults = cells.length > 2 ? backticked(cells[2]) : List.of();
            String first = names.get(0);
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                String full = n.startsWith("kiku.") ? n
                        : n.startsWith(".") ? first.substring(0, first.lastIndexOf('.')) + n
                        : parent(first) + "." + n;
                List<String> values = defaults.size() == names.size() ? List.of(defaults.get(i)) : defaults;
                rows.computeIfAbsent(MAP_KEY.matcher(full).replaceAll("*"), k -> new ArrayList<>()).addAll(values);
            }
        }
        return rows;
    }

    private static String parent(String name) {
        String plain = MAP_KEY.matcher(name).replaceAll("*");
        return name.substring(0, name.length() - (plain.length() - plain.lastIndexOf('.')));
    }

    private static List<String> backticked(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, SettingsDocs.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("config mapping " + name + " is not on the test classpath", e);
        }
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
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
}
