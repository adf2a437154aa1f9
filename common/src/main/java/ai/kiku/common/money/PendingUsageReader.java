package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an account's Redis balance together with its charges still in the partition stream
 * (charged in Redis, maybe not yet in PostgreSQL), without ever scanning the stream inside Lua:
 * one constant-time script takes the balance and the stream's newest id at one instant, then the
 * stream is read up to that id in pages of bounded size, each its own short command.
 *
 * <p>An entry deleted between the script and its page was consumed, hence recorded in PostgreSQL
 * before its deletion, so comparing with the ledger read afterwards stays exact; or it was
 * dead-lettered, and dead-lettered charges of the account count as pending too. Replaces
 * {@code MoneyCore.snapshot}, whose single script read the whole stream.
 */
@ApplicationScoped
public class PendingUsageReader {

    /** Stream entries per XRANGE; each page is one short command on the partition's node. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    /** Where billing parks usage entries PostgreSQL will never accept (see docs/architecture.md). */
    public static final String DEAD_SUFFIX = ":dead";

    private static final LuaScript SNAPSHOT = LuaScript.load("snapshot");

    private final Redis redis;
    private final int pageSize;

    @Inject
    public PendingUsageReader(Redis redis) {
        this(redis, DEFAULT_PAGE_SIZE);
    }

    public PendingUsageReader(Redis redis, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive");
        }
        this.redis = redis;
        this.pageSize = pageSize;
    }

    /** The account's balance, held and status, and its unconsumed charges (request id → micros). */
    public Uni<Snapshot> read(long accountId) {
        String stream = KeySchema.usageLog(accountId);
        return SNAPSHOT.run(redis, java.util.List.of(KeySchema.account(accountId), stream), java.util.List.of())
                .flatMap(r -> {
                    long balance = integer(r.get(0).toString());
                    long held = integer(r.get(1).toString());
                    String status = r.get(2).toString();
                    String last = r.get(3).toString();
                    Map<String, Long> pending = new LinkedHashMap<>();
                    String account = Long.toString(accountId);
                    Uni<Map<String, Long>> charges = "0-0".equals(last) ? Uni.createFrom().item(pending)
                            : page(stream, "-", last, account, null, pending);
                    // Dead-lettered charges were taken in Redis and never reach the ledger: pending
                    // too, so reconciliation neither reports nor "repairs" (refunds) them. Read after
                    // the live stream, so an entry moved meanwhile is found in one or the other.
                    String readAt = r.get(4).toString() + "-" + Long.MAX_VALUE;
                    return charges.flatMap(p -> page(stream + DEAD_SUFFIX, "-", "+", account, readAt, p))
                            .map(p -> new Snapshot(balance, held, status, p));
                });
    }

    /**
     * Reads {@code from}..{@code to} of a stream in pages; with {@code sourceUpTo}, only dead-lettered
     * entries whose original id is at most that (charged before the balance was read).
     */
    private Uni<Map<String, Long>> page(String stream, String from, String to, String account, String sourceUpTo,
                                        Map<String, Long> pending) {
        return redis.send(Request.cmd(Command.XRANGE).arg(stream).arg(from).arg(to).arg("COUNT").arg(pageSize))
                .flatMap(entries -> {
                    String lastId = null;
                    int n = 0;
                    if (entries != null) {
                        for (Response entry : entries) {
                            n++;
                            lastId = entry.get(0).toString();
                            collect(entry.size() > 1 ? entry.get(1) : null, account, sourceUpTo, pending);
                        }
                    }
                    if (n < pageSize || lastId == null || lastId.equals(to)) {
                        return Uni.createFrom().item(pending);
                    }
                    return page(stream, "(" + lastId, to, account, sourceUpTo, pending);
                });
    }

    private static void collect(Response fields, String account, String sourceUpTo, Map<String, Long> pending) {
        if (fields == null) {
            return;
        }
        Map<String, String> m = new LinkedHashMap<>();
        if (fields.getDelegate().isMap()) {
            for (String k : fields.getKeys()) {
                m.put(k, String.valueOf(fields.get(k)));
            }
        } else {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                m.put(fields.get(i).toString(), String.valueOf(fields.get(i + 1)));
            }
        }
        if (sourceUpTo != null && m.get("dead_source_id") != null
                && compareIds(m.get("dead_source_id"), sourceUpTo) > 0) {
            return;
        }
        if ("usage".equals(m.get("type")) && account.equals(m.get("acct")) && m.get("req") != null) {
            try {
                pending.put(m.get("req"), integer(m.getOrDefault("cost", "0")));
            } catch (RuntimeException malformed) {
                // An entry whose cost is not a number charged nothing readable; the usage consumer
                // dead-letters it and operators see it there.
            }
        }
    }

    /** Orders stream ids ({@code ms-seq}); a malformed one sorts first (counted, as before dead-lettering). */
    static int compareIds(String a, String b) {
        long[] x = id(a);
        long[] y = id(b);
        return x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]);
    }

    private static long[] id(String s) {
        try {
            int dash = s.indexOf('-');
            return dash < 0 ? new long[] {Long.parseLong(s), 0}
                    : new long[] {Long.parseLong(s.substring(0, dash)), Long.parseLong(s.substring(dash + 1))};
        } catch (NumberFormatException e) {
            return new long[] {0, 0};
        }
    }

    /** Integers as Redis may hold them, including a Lua-formatted {@code 1e+14}. */
    private static long integer(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return new BigDecimal(s).longValueExact();
        }
    }
}
