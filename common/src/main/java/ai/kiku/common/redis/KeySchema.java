package ai.kiku.common.redis;

/**
 * Names of every Redis key the platform uses (see docs/architecture.md). All keys of one account
 * share the hash tag of its billing partition so that a Lua script may touch them together in
 * Redis Cluster without CROSSSLOT.
 */
public final class KeySchema {

    /** Fixed number of billing partitions; changing it would move accounts between streams. */
    public static final int PARTITIONS = 64;

    /** Durable events for the bot (payment received, low balance, key created/revoked). */
    public static final String NOTIFY_STREAM = "kiku:notify";

    /** The price catalogue as JSON, written by billing-service, read by api-service. */
    public static final String CATALOGUE = "kiku:catalogue";

    /** Background jobs of billing-service. */
    public static final String JOBS_STREAM = "kiku:jobs";

    /** Jobs that exhausted their attempts. */
    public static final String JOBS_DEAD_STREAM = "kiku:jobs:dead";

    /** Tags are computed once: key names are built on every metered request. */
    private static final String[] TAGS = new String[PARTITIONS];

    static {
        for (int p = 0; p < PARTITIONS; p++) {
            TAGS[p] = String.format("{p%02d}", p);
        }
    }

    private KeySchema() {
    }

    public static int partitionOf(long accountId) {
        return (int) Math.floorMod(accountId, (long) PARTITIONS);
    }

    /** The hash tag of a partition, e.g. {@code {p07}}. */
    public static String tag(int partition) {
        return TAGS[partition];
    }

    private static String prefix(long accountId) {
        return "kiku:" + tag(partitionOf(accountId)) + ":";
    }

    public static String account(long accountId) {
        return prefix(accountId) + "acct:" + accountId;
    }

    public static String holds(long accountId) {
        return prefix(accountId) + "holds:" + accountId;
    }

    public static String holdExpiries(long accountId) {
        return prefix(accountId) + "hexp:" + accountId;
    }

    public static String refs(long accountId) {
        return prefix(accountId) + "refs:" + accountId;
    }

    /** An API key's live state; it lives in its account's partition. */
    public static String apiKey(long accountId, long keyId) {
        return prefix(accountId) + "key:" + keyId;
    }

    /**
     * A key's rate-limit window: a hash of the current minute ({@code w}, on Redis' clock) and the
     * calls counted in it ({@code n}). One key per API key, so the script, not the caller's clock,
     * decides which minute a call falls in.
     */
    public static String rateLimit(long accountId, long keyId) {
        return prefix(accountId) + "rl:" + keyId;
    }

    /**
     * The per-key spend counters of an account's keys, one hash (see prelude.lua): what each key holds
     * in open holds ({@code h:<key>}), has spent in total ({@code s:<key>}) and in the UTC month
     * {@code mw:<key>} ({@code m:<key>}). Under the account's tag, so reserve, settle, release and the
     * expiry sweep move them in the same script as the money.
     */
    public static String keyCounters(long accountId) {
        return prefix(accountId) + "kctl:" + accountId;
    }

    /** The usage log of the partition the account belongs to. */
    public static String usageLog(long accountId) {
        return usageLogOfPartition(partitionOf(accountId));
    }

    public static String usageLogOfPartition(int partition) {
        return "kiku:" + tag(partition) + ":usage";
    }

    /** Resolves a presented API key (by its SHA-256 hex) to {@code accountId:keyId}. */
    public static String keyIndex(String keyHashHex) {
        return "kiku:keyhash:" + keyHashHex;
    }
}
