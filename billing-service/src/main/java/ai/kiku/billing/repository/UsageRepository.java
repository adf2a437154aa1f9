package ai.kiku.billing.repository;

import ai.kiku.common.contract.UsageReport;
import ai.kiku.common.money.UsageLogEntry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes consumed usage into {@code usage_records}, {@code ledger_entries} and {@code usage_hourly},
 * idempotently, and reads the roll-ups back.
 */
@ApplicationScoped
public class UsageRepository {

    private static final long HOUR_MS = 3_600_000L;

    private final Transactions tx;

    public UsageRepository(Transactions tx) {
        this.tx = tx;
    }

    /**
     * Records a batch of settled charges in one transaction and returns how many were new. A
     * replayed record is skipped by the primary key, and only new records reach the ledger and the
     * hourly roll-up, so redelivery never doubles anything.
     */
    public Uni<Integer> writeBatch(List<UsageLogEntry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Map<String, UsageLogEntry> byKey = new LinkedHashMap<>();
        entries.forEach(e -> byKey.putIfAbsent(e.accountId() + ":" + e.requestId(), e));
        List<UsageLogEntry> unique = new ArrayList<>(byKey.values());
        return tx.statelessTransaction(s -> insertRecords(s, unique).flatMap(inserted -> {
            List<UsageLogEntry> fresh = inserted.stream().map(byKey::get).toList();
            if (fresh.isEmpty()) {
                return touchKeys(s, unique).replaceWith(0);
            }
            return insertLedger(s, fresh).flatMap(x -> upsertHourly(s, fresh)).flatMap(x -> touchKeys(s, unique))
                    .replaceWith(fresh.size());
        }));
    }

    private Uni<List<String>> insertRecords(Mutiny.StatelessSession session, List<UsageLogEntry> es) {
        String sql = "INSERT INTO usage_records (account_id, request_id, key_id, product, model, input_tokens, "
                + "output_tokens, cost_micros, late, occurred_at, overage_micros) "
                + "SELECT a, r, k, p, m, i, o, x, l, t, v FROM unnest(cast($1 as bigint[]), cast($2 as text[]), "
                + "cast($3 as bigint[]), cast($4 as text[]), cast($5 as text[]), cast($6 as bigint[]), "
                + "cast($7 as bigint[]), cast($8 as bigint[]), cast($9 as boolean[]), "
                + "cast(cast($10 as text[]) as timestamptz[]), cast($11 as bigint[])) "
                + "AS u(a, r, k, p, m, i, o, x, l, t, v) "
                + "ON CONFLICT DO NOTHING RETURNING account_id, request_id";
        return NativeSql.listDirect(session, sql,
                        es.stream().map(UsageLogEntry::accountId).toArray(Long[]::new),
                        es.stream().map(UsageLogEntry::requestId).toArray(String[]::new),
                        es.stream().map(UsageLogEntry::keyId).toArray(Long[]::new),
                        es.stream().map(UsageLogEntry::product).toArray(String[]::new),
                        es.stream().map(UsageLogEntry::model).toArray(String[]::new),
                        es.stream().map(UsageLogEntry::inputTokens).toArray(Long[]::new),
                        es.stream().map(UsageLogEntry::outputTokens).toArray(Long[]::new),
                        es.stream().map(UsageLogEntry::costMicros).toArray(Long[]::new),
                        es.stream().map(UsageLogEntry::late).toArray(Boolean[]::new),
                        occurredAt(es),
                        es.stream().map(UsageLogEntry::overageMicros).toArray(Long[]::new))
                .map(rows -> rows.stream().map(r -> NativeSql.lng(r[0]) + ":" + r[1]).toList());
    }

    private Uni<Void> insertLedger(Mutiny.StatelessSession session, List<UsageLogEntry> es) {
        String sql = "INSERT INTO ledger_entries (account_id, kind, amount_micros, external_ref, description, created_at) "
                + "SELECT a, 'usage', -x, r, d, t FROM unnest(cast($1 as bigint[]), "
                + "cast($2 as bigint[]), cast($3 as text[]), cast($4 as text[]), "
                + "cast(cast($5 as text[]) as timestamptz[])) AS u(a, x, r, d, t) "
                + "ON CONFLICT (account_id, external_ref) DO NOTHING";
        return NativeSql.updateDirect(session, sql,
                es.stream().map(UsageLogEntry::accountId).toArray(Long[]::new),
                es.stream().map(UsageLogEntry::costMicros).toArray(Long[]::new),
                es.stream().map(UsageLogEntry::requestId).toArray(String[]::new),
                es.stream().map(e -> e.product() + " " + e.model()).toArray(String[]::new),
                occurredAt(es)).replaceWithVoid();
    }

    private static String[] occurredAt(List<UsageLogEntry> es) {
        return es.stream().map(e -> NativeSql.isoMillis(e.occurredAtMillis())).toArray(String[]::new);
    }

    /** One roll-up row. */
    private record Hour(long accountId, long hourMillis, long keyId, String model) {
    }

    private static final Comparator<Hour> HOUR_ORDER = Comparator.comparingLong(Hour::accountId)
            .thenComparingLong(Hour::hourMillis).thenComparingLong(Hour::keyId).thenComparing(Hour::model);

    private Uni<Void> upsertHourly(Mutiny.StatelessSession session, List<UsageLogEntry> es) {
        // Aggregated here (one statement may not update the same row twice) and sorted, so that
        // concurrent consumers lock roll-up rows in the same order.
        Map<Hour, long[]> sums = new TreeMap<>(HOUR_ORDER);
        for (UsageLogEntry e : es) {
            long hour = Math.floorDiv(e.occurredAtMillis(), HOUR_MS) * HOUR_MS;
            long[] s = sums.computeIfAbsent(new Hour(e.accountId(), hour, e.keyId(), e.model()), k -> new long[4]);
            s[0]++;
            s[1] += e.inputTokens();
            s[2] += e.outputTokens();
            s[3] += e.costMicros();
        }
        List<Hour> keys = new ArrayList<>(sums.keySet());
        String sql = "INSERT INTO usage_hourly (account_id, hour, key_id, model, requests, input_tokens, output_tokens, "
                + "cost_micros) SELECT a, h, k, m, n, i, o, x FROM unnest("
                + "cast($1 as bigint[]), cast(cast($2 as text[]) as timestamptz[]), cast($3 as bigint[]), "
                + "cast($4 as text[]), cast($5 as bigint[]), cast($6 as bigint[]), cast($7 as bigint[]), "
                + "cast($8 as bigint[])) AS u(a, h, k, m, n, i, o, x) "
                + "ON CONFLICT (account_id, hour, key_id, model) DO UPDATE SET "
                + "requests = usage_hourly.requests + EXCLUDED.requests, "
                + "input_tokens = usage_hourly.input_tokens + EXCLUDED.input_tokens, "
                + "output_tokens = usage_hourly.output_tokens + EXCLUDED.output_tokens, "
                + "cost_micros = usage_hourly.cost_micros + EXCLUDED.cost_micros";
        return NativeSql.updateDirect(session, sql,
                keys.stream().map(Hour::accountId).toArray(Long[]::new),
                keys.stream().map(k -> NativeSql.isoMillis(k.hourMillis())).toArray(String[]::new),
                keys.stream().map(Hour::keyId).toArray(Long[]::new),
                keys.stream().map(Hour::model).toArray(String[]::new),
                keys.stream().map(k -> sums.get(k)[0]).toArray(Long[]::new),
                keys.stream().map(k -> sums.get(k)[1]).toArray(Long[]::new),
                keys.stream().map(k -> sums.get(k)[2]).toArray(Long[]::new),
                keys.stream().map(k -> sums.get(k)[3]).toArray(Long[]::new)).replaceWithVoid();
    }

    /**
     * Moves each key's last-used time forward (never back). The times arrive as timestamptz values:
     * Citus refuses a STABLE expression over a column reference (such as epoch + t * interval) in UPDATE SET.
     */
    private Uni<Void> touchKeys(Mutiny.StatelessSession session, List<UsageLogEntry> es) {
        Map<String, long[]> latest = new TreeMap<>();
        for (UsageLogEntry e : es) {
            long[] v = latest.computeIfAbsent(e.accountId() + ":" + e.keyId(),
                    k -> new long[]{e.accountId(), e.keyId(), 0});
            v[2] = Math.max(v[2], e.occurredAtMillis());
        }
        String sql = "UPDATE api_keys k SET last_used_at = u.t FROM unnest(cast($1 as bigint[]), cast($2 as bigint[]), "
                + "cast(cast($3 as text[]) as timestamptz[])) AS u(a, kid, t) "
                + "WHERE k.account_id = u.a AND k.key_id = u.kid "
                + "AND (k.last_used_at IS NULL OR k.last_used_at < u.t)";
        return NativeSql.updateDirect(session, sql,
                latest.values().stream().map(v -> v[0]).toArray(Long[]::new),
                latest.values().stream().map(v -> v[1]).toArray(Long[]::new),
                latest.values().stream().map(v -> NativeSql.isoMillis(v[2])).toArray(String[]::new))
                .replaceWithVoid();
    }

    /** Roll-up of an account's usage over [from, to) at hour granularity, grouped as asked. */
    public Uni<List<UsageReport.Row>> report(long accountId, Instant from, Instant to, String groupBy) {
        String group = switch (groupBy) {
            case "hour" -> "to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:00:00\"Z\"')";
            case "model" -> "model";
            case "key" -> "key_id::text";
            case "day-model" -> "to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' ' || model"; // the bot's chart
            default -> "to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
        };
        String sql = "SELECT " + group + " AS g, sum(requests)::bigint AS n, sum(input_tokens)::bigint AS i, "
                + "sum(output_tokens)::bigint AS o, sum(cost_micros)::bigint AS x FROM usage_hourly "
                + "WHERE account_id = ?1 AND hour >= date_trunc('hour', cast(?2 as timestamptz)) AND hour < ?3 "
                + "GROUP BY g ORDER BY g";
        return tx.session(() -> NativeSql.list(sql, accountId, from.atOffset(ZoneOffset.UTC),
                        to.atOffset(ZoneOffset.UTC)))
                .map(rows -> rows.stream().map(UsageRepository::row).toList());
    }

    private static UsageReport.Row row(Object[] r) {
        return UsageReport.Row.of((String) r[0], NativeSql.lng(r[1]), NativeSql.lng(r[2]), NativeSql.lng(r[3]),
                NativeSql.lng(r[4]));
    }
}
