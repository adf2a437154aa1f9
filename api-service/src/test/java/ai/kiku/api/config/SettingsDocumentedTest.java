package ai.kiku.api.config;

import ai.kiku.testing.SettingsDocs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsDocumentedTest {

    @Test
    void shouldDocumentEverySettingWithTheDefaultTheCodeUses() {
        assertThat(SettingsDocs.problems(Path.of("."), Path.of("../README.md"))).isEmpty();
    }
}
