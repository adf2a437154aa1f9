package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The atomic money operations (reserve, settle, release, credit, peek, rebuild), each a
 * single Lua call on the node that owns the account's partition.
 */
@ApplicationScoped
public class MoneyCore {

    private static final LuaScript RESERVE = LuaScript.load("reserve");
    private static final LuaScript SETTLE = LuaScript.load("settle");
    private static final LuaScript RELEASE = LuaScript.load("release");
    private static final LuaScript CREDIT = LuaScript.load("credit");
    private static final LuaScript PEEK = LuaScript.load("peek");
    private static final LuaScript REBUILD = LuaScript.load("rebuild");

    /**
     * Idempotent operations (settle, release) ride out a failover: retried, backing off from 50 ms to 1 s, for up to
     * 30 s, longer than a master takes to be replaced (cluster-node-timeout, 15 s by default, plus the election) and
     * the client to learn the new one. A settle that gave up sooner left a call that was already answered uncharged.
     */
    private static final java.time.Duration RETRY_BACKOFF = java.time.Duration.ofMillis(50);
    private static final java.time.Duration RETRY_BACKOFF_MAX = java.time.Duration.ofSeconds(1);
    static final long RETRY_WINDOW_MILLIS = 30_000;

    private final Redis redis;
    private final MoneyConfig config;
    /**
     * The caller's clock. No operation takes time from it: every script reads Redis' own TIME, so an
     * instance whose clock is wrong can neither expire holds nor name another rate-limit minute. It
     * stays injectable so tests can give an "instance" a skewed clock and show that nothing changes.
     */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private final Clock clock;
    private final Counter lateSettles;
    private final Counter overage;

    @Inject
    public MoneyCore(Redis redis, MoneyConfig config, MeterRegistry registry) {
        this(redis, config, registry, Clock.systemUTC());
    }

    MoneyCore(Redis redis, MoneyConfig config, MeterRegistry registry, Clock clock) {
        this.redis = redis;
        this.config = config;
        this.clock = clock;
        this.lateSettles = Counter.builder("kiku.money.late.settles")
                .description("Settles that arrived after their hold expired; charged anyway")
                .register(registry);
        this.overage = Counter.builder("kiku.money.overage.micros")
                .description("Micro-dollars charged beyond their reservation because an upstream billed more")
                .register(registry);
    }

    /** The scripts of a metered call, which a gateway may load on every node before relying on them. */
    public static List<LuaScript> meteringScripts() {
        return List.of(RESERVE, SETTLE, RELEASE, PEEK);
    }

    /** Reserves {@code amountMicros} for request {@code holdId} on behalf of an API key, for no model and no tokens. */
    public Uni<ReserveResult> reserve(long accountId, long keyId, String holdId, long amountMicros) {
        return reserve(accountId, keyId, holdId, amountMicros, amountMicros, 0, "");
    }

    /**
     * {@link #reserve(long, long, String, long)}, but when the spendable balance is short of {@code amountMicros}
     * and at least {@code leastMicros}, the hold takes all that is spendable ({@link ReserveResult#reservedMicros}),
     * in the same atomic step: concurrent calls cannot together hold more than the balance.
     */
    public Uni<ReserveResult> reserve(long accountId, long keyId, String holdId, long amountMicros, long leastMicros) {
        return reserve(accountId, keyId, holdId, amountMicros, leastMicros, 0, "");
    }

    /** {@link #reserve(long, long, String, long, long, long, String)} for a fixed amount. */
    public Uni<ReserveResult> reserve(long accountId, long keyId, String holdId, long amountMicros, long tokenBound,
                                      String model) {
        return reserve(accountId, keyId, holdId, amountMicros, amountMicros, tokenBound, model);
    }

    /**
     * Reserves {@code amountMicros} (or, short of it, what is spendable and at least {@code leastMicros})
     * for request {@code holdId} on behalf of an API key, checking the key's controls in the same step: its
     * expiry, whether it may use {@code model}, its tokens per minute (counting {@code tokenBound}, the most
     * the request can use) and its spend caps (which a least amount may flex down to as well).
     */
    public Uni<ReserveResult> reserve(long accountId, long keyId, String holdId, long amountMicros, long leastMicros,
                                      long tokenBound, String model) {
        Micros.requireInRange(amountMicros);
        Micros.requireInRange(leastMicros);
        if (leastMicros < 0 || leastMicros > amountMicros) {
            throw new IllegalArgumentException("least amount must be from 0 to the amount");
        }
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.apiKey(accountId, keyId),
                KeySchema.rateLimit(accountId, keyId), KeySchema.holds(accountId),
                KeySchema.holdExpiries(accountId), KeySchema.keyCounters(accountId));
        List<String> args = new ArrayList<>(List.of(holdId, Long.toString(amountMicros),
                Long.toString(config.holdTtl().toMillis()), Long.toString(config.holdRetention().toMillis()), "120",
                Long.toString(Math.max(0, tokenBound)), model == null ? "" : model, Long.toString(keyId)));
        if (leastMicros < amountMicros) {
            args.add(Long.toString(leastMicros));
        }
        return RESERVE.run(redis, keys, args).map(r -> new ReserveResult(
                ReserveOutcome.fromCode(r.get(0).toInteger()), r.get(1).toLong(), r.get(2).toLong(),
                r.get(3).toLong(), r.get(4).toLong(), r.get(5).toLong(),
                r.size() > 6 ? r.get(6).toLong() : 0, r.size() > 7 ? r.get(7).toLong() : 0,
                r.size() > 8 ? r.get(8).toLong() : 0));
    }

    /**
     * Charges {@code costMicros} and records the usage in the same step. A cost above the hold is
     * charged in full (the provider bills it) and reported as overage. A repeat for the same hold
     * charges nothing and reports the first charge with {@code duplicate=true}.
     */
    public Uni<SettleResult> settle(long accountId, String holdId, long costMicros, Usage usage) {
        Micros.requireInRange(costMicros);
        if (costMicros < 0) {
            throw new IllegalArgumentException("negative cost");
        }
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.holds(accountId),
                KeySchema.holdExpiries(accountId), KeySchema.usageLog(accountId), KeySchema.keyCounters(accountId));
        List<String> args = List.of(holdId, Long.toString(costMicros),
                Long.toString(config.holdRetention().toMillis()), Long.toString(accountId),
                Long.toString(usage.keyId()), usage.product(), usage.model(),
                Long.toString(usage.inputTokens()), Long.toString(usage.outputTokens()));
        // Safe to retry: a settle is keyed by its hold, and a repeat reports the first charge. Reported only once a
        // replica has it where the client can tell (sentinel mode's hot path): a failover must not discard a charge.
        return SETTLE.runReplicated(redis, keys, args).onFailure().retry().withBackOff(RETRY_BACKOFF, RETRY_BACKOFF_MAX).expireIn(RETRY_WINDOW_MILLIS).map(r -> {
            boolean late = r.get(4).toInteger() == 1;
            long over = r.get(5).toLong();
            if (late) {
                lateSettles.increment();
            }
            if (over > 0) {
                overage.increment(over);
            }
            return new SettleResult(r.get(0).toInteger() == 1, r.get(3).toLong(), late,
                    r.get(1).toLong(), r.get(2).toLong(), over);
        });
    }

    /** Closes an open hold without charge; false when there was nothing open to release. */
    public Uni<Boolean> release(long accountId, String holdId) {
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.holds(accountId),
                KeySchema.holdExpiries(accountId), KeySchema.keyCounters(accountId));
        List<String> args = List.of(holdId, Long.toString(config.holdRetention().toMillis()));
        return RELEASE.runReplicated(redis, keys, args).onFailure().retry().withBackOff(RETRY_BACKOFF, RETRY_BACKOFF_MAX).expireIn(RETRY_WINDOW_MILLIS)
                .map(r -> r.get(0).toInteger() == 0);
    }

    /**
     * Applies a signed amount once per ledger reference: positive credits, negative debits (which
     * may take the balance below zero, e.g. a chargeback). Refused ({@link CreditOutcome#OUT_OF_RANGE})
     * when the balance would leave ±{@link Micros#MAX_BALANCE}.
     */
    public Uni<CreditResult> credit(long accountId, String reference, long amountMicros) {
        Micros.requireInRange(amountMicros);
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.refs(accountId),
                KeySchema.usageLog(accountId));
        List<String> args = List.of(reference, Long.toString(amountMicros), Long.toString(accountId));
        return CREDIT.run(redis, keys, args).map(r -> new CreditResult(
                CreditOutcome.fromCode(r.get(0).toInteger()), r.get(1).toLong(), r.get(2).toLong()));
    }

    /** Real-time balance of an account as seen by one of its keys. */
    public Uni<BalanceView> peek(long accountId, long keyId) {
        return PEEK.run(redis, peekKeys(accountId, keyId), peekArgs()).map(r -> new BalanceView(r.get(0).toString(),
                r.get(1).toLong(), r.get(2).toLong(), r.get(3).toLong(), r.get(4).toString()));
    }

    /** {@link #peek} on plain Vert.x futures, for a hot path where Mutiny's overhead shows. */
    public io.vertx.core.Future<BalanceView> peekNow(long accountId, long keyId) {
        return PEEK.call(redis.getDelegate(), peekKeys(accountId, keyId), peekArgs()).map(r -> new BalanceView(
                r.get(0).toString(), r.get(1).toLong(), r.get(2).toLong(), r.get(3).toLong(), r.get(4).toString()));
    }

    private static List<String> peekKeys(long accountId, long keyId) {
        return List.of(KeySchema.account(accountId), KeySchema.apiKey(accountId, keyId),
                KeySchema.holds(accountId), KeySchema.holdExpiries(accountId), KeySchema.keyCounters(accountId));
    }

    private List<String> peekArgs() {
        return List.of(Long.toString(config.holdRetention().toMillis()));
    }

    /**
     * Merges what PostgreSQL knows into an account's Redis state (see rebuild.lua): applies the
     * ledger references Redis lacks, raises the settled total to {@code recordedUsageMicros} when
     * Redis has less, and sets balance = credited − spent. Commutes with concurrent reserves,
     * settles and credits, so it needs no fence. Status and threshold are only written to a missing
     * account hash; open holds are kept.
     */
    public Uni<RebuildResult> rebuild(long accountId, String status, long thresholdMicros, long recordedUsageMicros,
                                      Map<String, Long> appliedReferences) {
        return rebuild(accountId, status, thresholdMicros, recordedUsageMicros, appliedReferences, KeySpend.NONE);
    }

    /**
     * {@link #rebuild(long, String, long, long, Map)} that also raises each key's spend counters to
     * what PostgreSQL recorded ({@code keySpend}: per key, its total and its total in one UTC month),
     * and recomputes what each key holds from the open holds.
     */
    public Uni<RebuildResult> rebuild(long accountId, String status, long thresholdMicros, long recordedUsageMicros,
                                      Map<String, Long> appliedReferences, KeySpend keySpend) {
        List<String> keys = List.of(KeySchema.account(accountId), KeySchema.refs(accountId),
                KeySchema.holds(accountId), KeySchema.keyCounters(accountId));
        List<String> args = new ArrayList<>(5 + keySpend.perKey().size() * 3 + appliedReferences.size() * 2);
        args.add(status);
        args.add(Long.toString(thresholdMicros));
        args.add(Long.toString(recordedUsageMicros));
        args.add(Integer.toString(keySpend.month()));
        args.add(Integer.toString(keySpend.perKey().size()));
        keySpend.perKey().forEach((keyId, spent) -> {
            args.add(Long.toString(keyId));
            args.add(Long.toString(spent.totalMicros()));
            args.add(Long.toString(spent.monthMicros()));
        });
        appliedReferences.forEach((ref, amount) -> {
            args.add(ref);
            args.add(Long.toString(amount));
        });
        return REBUILD.run(redis, keys, args).map(r -> new RebuildResult(r.get(0).toLong(), r.get(1).toLong(),
                r.get(2).toLong(), r.get(3).toLong(), r.get(4).toLong()));
    }
}
