package ai.kiku.common.money;

/** What a settled request used, recorded beside its charge. */
public record Usage(long keyId, String product, String model, long inputTokens, long outputTokens) {
}
