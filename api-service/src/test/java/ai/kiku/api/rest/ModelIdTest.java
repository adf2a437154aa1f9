package ai.kiku.api.rest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelIdTest {

    @Test
    void shouldReadTheWholeRestOfThePathAsTheModelIdSlashesIncluded() {
        assertThat(CatalogueHandlers.modelId("/v1/models/local-echo")).isEqualTo("local-echo");
        assertThat(CatalogueHandlers.modelId("/v1/models/meta-llama/llama-3-8b")).isEqualTo("meta-llama/llama-3-8b");
        assertThat(CatalogueHandlers.modelId("/v1/models/meta-llama%2Fllama-3-8b")).isEqualTo("meta-llama/llama-3-8b");
    }

    @Test
    void shouldKeepPlusSignsAndStrayPercentSignsAsTheyAre() {
        assertThat(CatalogueHandlers.modelId("/v1/models/a+b")).isEqualTo("a+b");
        assertThat(CatalogueHandlers.modelId("/v1/models/%zz")).isEqualTo("%zz");
        assertThat(CatalogueHandlers.modelId("/v1/models/")).isEmpty();
    }
}
