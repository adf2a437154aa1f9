package ai.kiku.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders deploy/nginx/nginx.conf.template for a set of instances: the one renderer behind both
 * {@code ./kiku up --scale} and the scaled tests, so that what the tests prove is what operators run.
 */
public final class NginxConfig {

    /** The services nginx fronts, by their template name. */
    public static final List<String> SERVICES = List.of("api", "bot", "webhook", "billing");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

    private final Path templateDir;
    private final String host;
    private final Map<String, Integer> publicPorts = new LinkedHashMap<>();
    private final Map<String, List<Integer>> instances = new LinkedHashMap<>();
    private String workers = "auto";
    private boolean accessLog = true;
    private String attemptToken;

    public NginxConfig(Path templateDir, String host) {
        this.templateDir = templateDir;
        this.host = host;
    }

    /** deploy/nginx of the checkout that holds {@code start} (a module's directory, or the root itself). */
    public static Path templateDirFrom(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/nginx/nginx.conf.template"))) {
                return dir.resolve("deploy/nginx");
            }
        }
        throw new IllegalStateException("no deploy/nginx/nginx.conf.template above " + start.toAbsolutePath());
    }

    /** nginx listens on {@code publicPort} for {@code service} and balances over the instances' ports. */
    public NginxConfig service(String service, int publicPort, List<Integer> instancePorts) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("unknown service " + service + " (" + SERVICES + ")");
        }
        publicPorts.put(service, publicPort);
        instances.put(service, List.copyOf(instancePorts));
        return this;
    }

    public NginxConfig workers(String workers) {
        this.workers = workers;
        return this;
    }

    /**
     * The secret nginx puts before its attempt id (X-Kiku-Attempt), which api instances must be given as
     * kiku.api.attempt-token: without it they refuse every request nginx sends them.
     */
    public NginxConfig attemptToken(String token) {
        if (token == null || token.isEmpty() || !token.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("the attempt token must be letters, digits, '_', '.' or '-'");
        }
        this.attemptToken = token;
        return this;
    }

    public NginxConfig accessLog(boolean on) {
        this.accessLog = on;
        return this;
    }

    /**
     * Writes prefix/conf/nginx.conf and its includes, and creates the log and scratch directories;
     * returns the main file. Every service must have been given ({@link #service}).
     */
    public Path write(Path prefix) {
        for (String service : SERVICES) {
            if (!publicPorts.containsKey(service)) {
                throw new IllegalStateException("no port given for " + service);
            }
        }
        if (attemptToken == null) {
            throw new IllegalStateException("no attempt token given (attemptToken)");
        }
        try {
            Path abs = prefix.toAbsolutePath();
            Path conf = abs.resolve("conf");
            for (String dir : List.of("conf", "logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")) {
                Files.createDirectories(abs.resolve(dir));
            }
            try (var files = Files.list(templateDir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".conf")).toList()) {
                    Files.copy(file, conf.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Path main = conf.resolve("nginx.conf");
            Files.writeString(main, render(Files.readString(templateDir.resolve("nginx.conf.template")), values(abs)));
            return main;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, String> values(Path prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("PREFIX", prefix.toString());
        values.put("WORKERS", workers);
        values.put("ATTEMPT_TOKEN", attemptToken);
        values.put("HOST", host);
        // As root, nginx's workers would otherwise run as nobody and could not write the prefix's scratch space.
        values.put("USER", "root".equals(System.getProperty("user.name")) ? "user root;" : "");
        values.put("ACCESS_LOG", accessLog ? prefix.resolve("logs/access.log") + " kiku buffer=64k flush=1s" : "off");
        for (String service : SERVICES) {
            String name = service.toUpperCase(java.util.Locale.ROOT);
            values.put(name + "_PORT", String.valueOf(publicPorts.get(service)));
            values.put(name + "_SERVERS", servers(instances.get(service)));
        }
        return values;
    }

    private String servers(List<Integer> ports) {
        List<String> lines = new ArrayList<>();
        for (int port : ports) {
            lines.add("        server " + host + ":" + port + " max_fails=1 fail_timeout=2s;");
        }
        if (lines.isEmpty()) {
            // nginx refuses an empty upstream; a service with no instance answers 503 (@no_instance)
            lines.add("        server " + host + ":9 down;");
        }
        return String.join("\n", lines);
    }

    static String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("no value for {{" + m.group(1) + "}} in the nginx template");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * {@code NginxConfig --prefix DIR --template-dir DIR --attempt-token T [--host H] [--workers N] [--no-access-log]
     * --api PUBLIC=PORT,PORT... --bot ... --webhook ... --billing ...}: what ./kiku calls.
     */
    public static void main(String[] args) {
        Path prefix = null;
        Path templates = null;
        String host = "127.0.0.1";
        String workers = "auto";
        boolean accessLog = true;
        String attemptToken = null;
        Map<String, String> specs = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--prefix" -> prefix = Path.of(args[++i]);
                case "--template-dir" -> templates = Path.of(args[++i]);
                case "--host" -> host = args[++i];
                case "--workers" -> workers = args[++i];
                case "--no-access-log" -> accessLog = false;
                case "--attempt-token" -> attemptToken = args[++i];
                default -> {
                    if (arg.startsWith("--") && SERVICES.contains(arg.substring(2))) {
                        specs.put(arg.substring(2), args[++i]);
                    } else {
                        throw new IllegalArgumentException("unknown argument " + arg);
                    }
                }
            }
        }
        if (prefix == null || templates == null) {
            throw new IllegalArgumentException("--prefix and --template-dir are required");
        }
        NginxConfig config = new NginxConfig(templates, host).workers(workers).accessLog(accessLog)
                .attemptToken(attemptToken);
        specs.forEach((service, spec) -> {
            String[] parts = spec.split("=", 2);
            List<Integer> ports = new ArrayList<>();
            if (parts.length == 2 && !parts[1].isBlank()) {
                for (String port : parts[1].split(",")) {
                    ports.add(Integer.parseInt(port.trim()));
                }
            }
            config.service(service, Integer.parseInt(parts[0].trim()), ports);
        });
        System.out.println(config.write(prefix));
    }
}
