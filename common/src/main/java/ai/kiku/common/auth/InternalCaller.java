package ai.kiku.common.auth;

/** The services that call another's internal API, each with its own token ({@code kiku.internal.tokens.<name>}). */
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
}
