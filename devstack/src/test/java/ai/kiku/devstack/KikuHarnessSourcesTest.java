package ai.kiku.devstack;

import org.junit.jupiter.api.Test;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./kiku up} compiles this module's main sources with javac alone (no Maven, no class path); a dependency
 * added to this module's pom would keep every Maven build green and break the launcher. This test compiles the
 * directory the script names the way the script does.
 */
class KikuHarnessSourcesTest {

    private static final Pattern SOURCES = Pattern.compile("local src=\"\\$ROOT/([A-Za-z0-9/_.-]+)\"");

    @Test
    void shouldCompileTheSourcesTheLauncherCompilesWithTheJdkAlone() throws IOException {
        Path root = Infra.moduleTarget().getParent().getParent();
        Matcher named = SOURCES.matcher(Files.readString(root.resolve("kiku")));
        assertThat(named.find()).as("./kiku names the directory it compiles").isTrue();
        Path sources = root.resolve(named.group(1));
        assertThat(sources).as("./kiku compiles this module's main sources").isEqualTo(root.resolve("devstack/src/main/java"));
        List<Path> files;
        try (Stream<Path> all = Files.walk(sources)) {
            files = all.filter(f -> f.toString().endsWith(".java")).toList();
        }
        assertThat(files).contains(sources.resolve("ai/kiku/devstack/DevStack.java"),
                sources.resolve("ai/kiku/devstack/NginxConfig.java"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory(Infra.moduleTarget(), "kiku-harness");
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean compiled = javac.getTask(null, fileManager, diagnostics,
                    // no class path beyond the output: the test JVM's would supply a library the launcher lacks
                    List.of("--release", "17", "-nowarn", "-implicit:none", "-sourcepath", "", "-cp", out.toString(),
                            "-d", out.toString()),
                    null, fileManager.getJavaFileObjectsFromPaths(files)).call();
            assertThat(compiled).as("javac of ./kiku's sources: %s", diagnostics.getDiagnostics()).isTrue();
        } finally {
            Dirs.deleteRecursively(out);
        }
    }
}
