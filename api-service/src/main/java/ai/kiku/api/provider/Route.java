package ai.kiku.api.provider;

/** One provider able to serve a model, and the model's name at that provider. */
public record Route(ChatProvider provider, String upstreamModel) {
}
