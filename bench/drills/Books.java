import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The money books of a drill: creates its cohort of funded keys, and afterwards checks, per key, that every
 * successful metered call has exactly its usage record in PostgreSQL at the charge the caller was told, that the
 * balance dropped by exactly the recorded charges (less the credits the drill booked), and that reconciliation finds
 * no drift.
 */
final class Books {

    /** What the check found; {@code ok} only when no µUSD was lost or doubled and reconciliation shows no drift. */
    record Result(boolean ok, String line, long records, long answerLost, long drift) {
    }

    private final Stack stack;

    Books(Stack stack) {
        this.stack = stack;
    }

    /** {@code n} accounts with one key each (consecutive account ids: every partition, every Redis master). */
    List<Load.Key> cohort(int n, long creditMicros, String tag) throws Exception {
        List<Load.Key> keys = new ArrayList<>();
        long tg = 800_000_000_000L + System.currentTimeMillis() % 1_000_000_000L * 100;
        for (int i = 0; i < n; i++) {
            long id = number(stack.admin("POST", "/admin/v1/accounts",
                    "{\"telegramUserId\":" + (tg + i) + ",\"displayName\":\"drill " + tag + "\"}"), "accountId");
            stack.admin("POST", "/admin/v1/accounts/" + id + "/adjustments", "{\"amountMicros\":" + creditMicros
                    + ",\"reason\":\"drill funding\",\"idempotencyKey\":\"drill-" + tag + "-" + id + "\"}");
            String body = stack.admin("POST", "/admin/v1/accounts/" + id + "/keys",
                    "{\"name\":\"drill\",\"rateLimitPerMinute\":100000}");
            Matcher m = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(body);
            if (!m.find()) {
                throw new IllegalStateException("no key in " + body);
            }
            keys.add(new Load.Key(id, number(body, "keyId"), m.group(1), balance(id)));
        }
        return keys;
    }

    long balance(long account) throws Exception {
        return number(stack.admin("GET", "/admin/v1/accounts/" + account, null), "balanceMicros");
    }

    /**
     * Waits until billing has copied every successful call into PostgreSQL and the usage streams are empty; gives up
     * (returns -1) at the timeout, or when nothing has changed for 10 s with the streams empty (a call that succeeded
     * yet has no record then shows in the check).
     */
    long awaitRecorded(List<Load.Key> keys, long timeoutMillis) throws Exception {
        long t0 = System.currentTimeMillis();
        long deadline = t0 + timeoutMillis;
        Map<Long, Long> last = null;
        long stableSince = t0;
        while (System.currentTimeMillis() < deadline) {
            Map<Long, Long> counts = recordCounts(keys);
            boolean all = keys.stream().allMatch(k -> counts.getOrDefault(k.account, 0L) >= k.charged.size());
            long backlog = stack.usageBacklog();
            if (all && backlog == 0) {
                return System.currentTimeMillis() - t0;
            }
            if (!counts.equals(last) || backlog > 0) {
                last = counts;
                stableSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - stableSince > 10_000) {
                return -1;
            }
            Thread.sleep(500);
        }
        return -1;
    }

    /**
     * The invariants, per key; {@code credited} is what the drill itself credited per account (drill 6).
     * A record whose call failed for the caller (the answer was lost, e.g. its instance was killed after the settle)
     * is legitimate only as long as that key had at least as many failed metered calls.
     */
    Result check(List<Load.Key> keys, Map<Long, Long> credited) throws Exception {
        String ids = keys.stream().map(k -> Long.toString(k.account)).collect(Collectors.joining(","));
        Map<Long, Map<String, Long>> records = new HashMap<>();
        for (List<String> row : stack.sql("SELECT account_id, request_id, cost_micros FROM usage_records WHERE account_id IN ("
                + ids + ")")) {
            records.computeIfAbsent(Long.parseLong(row.get(0)), a -> new HashMap<>()).put(row.get(1), Long.parseLong(row.get(2)));
        }
        long successes = 0, recorded = 0, missing = 0, wrongCost = 0, answerLost = 0, unexplained = 0, balanceOff = 0;
        List<String> problems = new ArrayList<>();
        for (Load.Key k : keys) {
            Map<String, Long> rec = records.getOrDefault(k.account, Map.of());
            successes += k.charged.size();
            recorded += rec.size();
            long lostHere = 0;
            for (Map.Entry<String, Long> e : k.charged.entrySet()) {
                Long cost = rec.get(e.getKey());
                if (cost == null) {
                    missing++;
                    problems.add("key " + k.keyId + ": call " + e.getKey() + " succeeded but has no usage record");
                } else if (!cost.equals(e.getValue())) {
                    wrongCost++;
                    problems.add("key " + k.keyId + ": call " + e.getKey() + " told " + e.getValue() + " recorded " + cost);
                }
            }
            for (String id : rec.keySet()) {
                if (!k.charged.containsKey(id)) {
                    lostHere++;
                }
            }
            answerLost += lostHere;
            if (lostHere > k.failedChats.sum()) {
                unexplained += lostHere - k.failedChats.sum();
                problems.add("key " + k.keyId + ": " + lostHere + " records of calls that never succeeded, only "
                        + k.failedChats.sum() + " failed calls");
            }
            long charges = rec.values().stream().mapToLong(Long::longValue).sum();
            long drop = k.startBalance + credited.getOrDefault(k.account, 0L) - balance(k.account);
            if (drop != charges) {
                balanceOff += Math.abs(drop - charges);
                problems.add("key " + k.keyId + ": balance dropped " + drop + " µUSD, recorded charges " + charges);
            }
        }
        String report = stack.admin("GET", "/admin/v1/reconciliation", null);
        long drifted = number(report, "accountsWithDrift");
        long drift = number(report, "totalDriftMicros");
        long failed = number(report, "accountsFailed");
        boolean ok = missing == 0 && wrongCost == 0 && unexplained == 0 && balanceOff == 0 && drifted == 0 && drift == 0
                && failed == 0;
        String line = String.format("%d metered successes, %d usage records (%d of calls whose answer was lost), %d missing,"
                        + " %d wrong cost, %d unexplained; balance drop vs charges off by %d µUSD; reconciliation: %d accounts"
                        + " drifted, drift %d µUSD, %d unchecked",
                successes, recorded, answerLost, missing, wrongCost, unexplained, balanceOff, drifted, drift, failed);
        problems.stream().limit(10).forEach(p -> System.out.println("    ! " + p));
        if (drifted > 0) {
            System.out.println("    ! reconciliation: " + (report.length() > 600 ? report.substring(0, 600) : report));
        }
        return new Result(ok, line, recorded, answerLost, drift);
    }

    private Map<Long, Long> recordCounts(List<Load.Key> keys) throws Exception {
        String ids = keys.stream().map(k -> Long.toString(k.account)).collect(Collectors.joining(","));
        Map<Long, Long> out = new HashMap<>();
        for (List<String> row : stack.sql("SELECT account_id, count(*) FROM usage_records WHERE account_id IN (" + ids
                + ") GROUP BY account_id")) {
            out.put(Long.parseLong(row.get(0)), Long.parseLong(row.get(1)));
        }
        return out;
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
