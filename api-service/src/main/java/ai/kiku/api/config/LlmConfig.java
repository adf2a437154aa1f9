package ai.kiku.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/** Model routing of the LLM proxy: aliases over providers, and the built-in local provider. */
@ConfigMapping(prefix = "kiku.llm")
public interface LlmConfig {

    /**
     * Model → ordered providers, e.g. {@code kiku.llm.routes."gpt-4o-mini"=openai,openrouter:openai/gpt-4o-mini}.
     * Each entry is {@code provider} or {@code provider:upstream-model}; later entries are fallbacks.
     */
    Map<String, String> routes();

    /** The built-in {@code local} provider (model {@code local-echo}). */
    Local local();

    /** Built-in provider settings. */
    interface Local {
        /** Unset: on when kiku.local-standins is true or no provider has an api-key. */
        Optional<Boolean> enabled();

        /** Model name the local provider serves. */
        @WithDefault("local-echo")
        String model();

        /** Embedding model name the local provider serves ({@code /v1/embeddings}). */
        @WithDefault("local-embed")
        String embedModel();
    }
}
