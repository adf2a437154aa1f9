package ai.kiku.common.config;

import ai.kiku.testing.SettingsDocs;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class SettingsDocumentedTest {

    @Test
    void shouldDocumentEveryCommonSettingWithTheDefaultTheCodeUses() {
        assertThat(SettingsDocs.problems(Path.of("."), Path.of("../README.md"))).isEmpty();
    }

    @Test
    void shouldFindTheSettingsOfAMappingWithNestedGroupsAndMaps() {
        assertThat(SettingsDocs.fromMapping(Sample.class))
                .extracting(SettingsDocs.Setting::name, s -> s.defaultValue().orElse(null))
                .containsExactlyInAnyOrder(
                        tuple("kiku.sample.poll-interval", "1s"),
                        tuple("kiku.sample.routes.*", null),
                        tuple("kiku.sample.local.model", "local-echo"),
                        tuple("kiku.sample.*.base-url", null));
    }

    @Test
    void shouldReportAMissingRowAndAWrongDefault(@TempDir Path dir) throws Exception {
        Path module = dir.resolve("m");
        Files.createDirectories(module.resolve("src/main/resources"));
        Files.writeString(module.resolve("src/main/resources/application.properties"),
                "kiku.a.ttl=5s\nkiku.a.size=10\n%test.kiku.a.gone=1\nkiku.a.url=${X:}\n");
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "| setting | default | meaning |\n|---|---|---|\n"
                + "| `kiku.a.ttl` / `size` | `5s` / `20` | both |\n");

        assertThat(SettingsDocs.problems(module, readme)).containsExactly(
                "kiku.a.size (application.properties) defaults to `10` but the table says [20]",
                "kiku.a.url (application.properties) has no row in README.md");
    }

    @Test
    void shouldReadRelativeAndMapNamesFromTheTable(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, String.join("\n",
                "| `kiku.providers.<name>.timeout` / `connect-timeout` | `60s` / `2s` | x |",
                "| `kiku.api.default-image-tokens` / `image-tokens.\"<model>\"` | `1445` / none | x |",
                "| `kiku.internal.tokens.api` / `.bot` | unset | x |",
                "| `kiku.local-standins` | `false` (`true` under `./kiku up`) | x |"));

        assertThat(SettingsDocs.table(readme))
                .containsEntry("kiku.providers.*.timeout", List.of("60s"))
                .containsEntry("kiku.providers.*.connect-timeout", List.of("2s"))
                .containsKey("kiku.api.image-tokens.*")
                .containsKey("kiku.internal.tokens.bot")
                .containsEntry("kiku.local-standins", List.of("false", "true", "./kiku up"));
    }

    @ConfigMapping(prefix = "kiku.sample")
    interface Sample {
        @WithDefault("1s")
        Duration pollInterval();

        Map<String, String> routes();

        Local local();

        @WithParentName
        Map<String, Provider> all();

        interface Local {
            @WithDefault("local-echo")
            String model();
        }

        interface Provider {
            String baseUrl();
        }
    }
}
