package ai.kiku.common.contract;

/**
 * Paths of the internal (service-to-service) API: billing-service's accounts, keys, ledger, usage and
 * catalogue, and webhook-service's checkouts. Servers and clients name their {@code @Path}s with these,
 * so a moved endpoint is a compile error on both sides. Never exposed on the public ingress.
 */
public final class InternalApi {

    /** The common root; every endpoint below it takes a calling service's own bearer token. */
    public static final String ROOT = "/internal/v1";

    /** billing: create an account ({@code POST}); the account resources hang below it. */
    public static final String ACCOUNTS = ROOT + "/accounts";
    /** billing, relative to {@link #ACCOUNTS}: the account of a Telegram user. */
    public static final String BY_TELEGRAM = "/by-telegram/{telegramUserId}";
    /** billing, relative to {@link #ACCOUNTS}: one account (path parameter {@code id}, as billing's OpenAPI names it). */
    public static final String ACCOUNT = "/{id}";
    /** billing, relative to {@link #ACCOUNTS}: an account's keys (list, issue). */
    public static final String KEYS = ACCOUNT + "/keys";
    /** billing, relative to {@link #ACCOUNTS}: one key (revoke; PATCH its controls). */
    public static final String KEY = KEYS + "/{keyId}";
    /** billing, relative to {@link #ACCOUNTS}: the ledger (book, page). */
    public static final String LEDGER = ACCOUNT + "/ledger";
    /** billing, relative to {@link #ACCOUNTS}: usage roll-up; query {@code from}, {@code to}, {@code groupBy}. */
    public static final String USAGE = ACCOUNT + "/usage";
    /** billing, relative to {@link #ACCOUNTS}: the account's low-balance threshold ({@code PUT}, the bot's /alert). */
    public static final String LOW_BALANCE_THRESHOLD = ACCOUNT + "/low-balance-threshold";
    /** billing: products, model prices and credit packs. */
    public static final String CATALOGUE = ROOT + "/catalogue";
    /** webhook-service: a Paddle checkout for a credit pack (bot-service's token only). */
    public static final String CHECKOUTS = ROOT + "/checkouts";

    private InternalApi() {
    }
}
