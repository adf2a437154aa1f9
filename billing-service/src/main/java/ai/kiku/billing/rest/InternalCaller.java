package ai.kiku.billing.rest;

import ai.kiku.billing.config.InternalConfig;

import java.util.Optional;

/** The services that call billing's internal API, each with its own token ({@code kiku.internal.tokens.<name>}). */
public enum InternalCaller {
    API("api"), BOT("bot"), WEBHOOK("webhook");

    private final String name;

    InternalCaller(String name) {
        this.name = name;
    }

    /** The name in settings and answers: {@code api}, {@code bot}, {@code webhook}. */
    public String configName() {
        return name;
    }

    Optional<String> token(InternalConfig.Tokens tokens) {
        return switch (this) {
            case API -> tokens.api();
            case BOT -> tokens.bot();
            case WEBHOOK -> tokens.webhook();
        };
    }
}
