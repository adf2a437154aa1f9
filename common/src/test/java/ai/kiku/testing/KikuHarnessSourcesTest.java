package ai.kiku.testing;

import org.junit.jupiter.api.Test;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./kiku up} compiles the dev-stack harness with javac from the source files it lists (no Maven); a harness
 * class that gains a dependency on a new file breaks the launcher while every Maven build stays green. This test
 * compiles exactly the files the script lists.
 */
class KikuHarnessSourcesTest {

    private static final Pattern LIST = Pattern.compile("\"\\$src\"/\\{([A-Za-z0-9,]+)}\\.java");

    @Test
    void shouldCompileTheDevStackHarnessFromTheSourcesTheLauncherLists() throws IOException {
        Path root = Infra.moduleTarget().getParent().getParent();
        Path sources = root.resolve("common/src/test/java/ai/kiku/testing");
        List<Path> listed = new ArrayList<>();
        Matcher lists = LIST.matcher(Files.readString(root.resolve("kiku")));
        while (lists.find()) {
            for (String name : lists.group(1).split(",")) {
                listed.add(sources.resolve(name + ".java"));
            }
        }
        assertThat(listed).as("the javac lists in ./kiku").contains(sources.resolve("DevStack.java"),
                sources.resolve("NginxConfig.java"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory(Infra.moduleTarget(), "kiku-harness");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean compiled = javac.getTask(null, files, diagnostics,
                    // no class path beyond the output: the test JVM's would supply the compiled classes a list forgot
                    List.of("--release", "17", "-nowarn", "-implicit:none", "-sourcepath", "", "-cp", out.toString(),
                            "-d", out.toString()),
                    null, files.getJavaFileObjectsFromPaths(listed)).call();
            assertThat(compiled).as("javac of ./kiku's harness list: %s", diagnostics.getDiagnostics()).isTrue();
        } finally {
            Dirs.deleteRecursively(out);
        }
    }
}
