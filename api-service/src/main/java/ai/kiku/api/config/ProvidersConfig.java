package ai.kiku.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Upstream providers (OpenAI-compatible or Anthropic), any number, under {@code kiku.providers.<name>.*}. */
@ConfigMapping(prefix = "kiku.providers")
public interface ProvidersConfig {

    @WithParentName
    Map<String, Provider> all();

    /** One OpenAI-compatible endpoint. */
    interface Provider {
        /** Base URL up to and including the API version, e.g. https://api.openai.com/v1 or https://api.anthropic.com/v1. */
        String baseUrl();

        /**
         * The protocol it speaks: {@code openai} (OpenAI-compatible: OpenAI, OpenRouter, Groq, vLLM,
         * Ollama; serves /v1/chat/completions, embeddings, completions, responses) or {@code anthropic}
         * (Anthropic's Messages API; serves /v1/messages).
         */
        @WithDefault("openai")
        String type();

        /** Sent as {@code Authorization: Bearer ...} (as {@code x-api-key} to Anthropic); unset for keyless local servers. */
        Optional<String> apiKey();

        /** Models this provider serves; unset means every catalogue model except local ones. */
        Optional<List<String>> models();

        /** Off switch without deleting the settings. */
        @WithDefault("true")
        boolean enabled();

        /** Lower goes first when several providers serve a model without an explicit route. */
        @WithDefault("100")
        int order();

        /** Longest wait for the upstream's answer to start, and between two bytes of a stream. */
        @WithDefault("60s")
        Duration timeout();

        /** TCP connect timeout. */
        @WithDefault("2s")
        Duration connectTimeout();

        /** Retries on the same provider, only when the connection could not be made (nothing was sent). */
        @WithDefault("1")
        int connectRetries();

        /** Connection pool size towards this provider. */
        @WithDefault("256")
        int maxConnections();

        /**
         * Where the gateway puts its output cap when the client sent none, so the upstream cannot
         * answer more than was reserved: {@code max_tokens} or {@code max_completion_tokens} (OpenAI's
         * o-series refuse max_tokens).
         */
        @WithDefault("max_tokens")
        String outputCapField();

        /** Consecutive failures that open the circuit breaker. */
        @WithDefault("5")
        int failureThreshold();

        /** How long an open circuit stays open before one trial call. */
        @WithDefault("30s")
        Duration circuitDelay();
    }
}
