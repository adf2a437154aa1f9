package ai.kiku.api.service;

/** The account and key an authenticated request acts for. */
public record ApiCaller(long accountId, long keyId) {
}
