package ai.kiku.common.contract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract has one home: a record name declared in the main code of two modules is a copied contract. */
class RecordsDeclaredOnceTest {

    private static final Pattern RECORD = Pattern.compile("\\brecord\\s+([A-Z][A-Za-z0-9]*)\\s*[(<]");

    @Test
    void shouldDeclareEveryRecordInOneModuleOnly() throws IOException {
        Map<String, Set<String>> modulesByRecord = new TreeMap<>();
        try (Stream<Path> modules = Files.list(Path.of(".."))) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        Matcher m = RECORD.matcher(Files.readString(file));
                        while (m.find()) {
                            modulesByRecord.computeIfAbsent(m.group(1), k -> new TreeSet<>())
                                    .add(module.getFileName().toString());
                        }
                    }
                }
            }
        }

        assertThat(modulesByRecord).as("records found").containsKeys("AccountView", "ApiKey", "LedgerPage");
        assertThat(modulesByRecord).allSatisfy((record, modules) ->
                assertThat(modules).as("modules declaring record " + record).hasSize(1));
    }
}
