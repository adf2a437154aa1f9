package ai.kiku.common.money;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The money core as plain Java, one step at a time: what every script must answer and leave
 * behind, for the randomized simulation to compare against Redis after each step.
 */
final class MoneyModel {

    /** A hold as the model tracks it; state letters as in holds:&lt;account&gt;. */
    static final class Hold {
        final long amount;
        char state = 'o';
        long charged;

        Hold(long amount) {
            this.amount = amount;
        }
    }

    String status = "active";
    long balance;
    long held;
    long spent;
    /** Every charge ever settled: what PostgreSQL records once the stream is consumed. */
    long charged;
    long overage;
    long late;
    final Map<Long, String> keys = new HashMap<>();
    final Map<String, Hold> holds = new LinkedHashMap<>();
    /** The ledger: every reference ever booked, in order (PostgreSQL's view). */
    final Map<String, Long> ledger = new LinkedHashMap<>();
    /** References Redis has applied (the refs hash). */
    final Map<String, Long> applied = new HashMap<>();

    ReserveOutcome reserve(long keyId, String holdId, long amount) {
        if (!"active".equals(keys.get(keyId))) {
            return ReserveOutcome.KEY_INACTIVE;
        }
        if (!"active".equals(status)) {
            return ReserveOutcome.ACCOUNT_INACTIVE;
        }
        if (balance - held < amount || balance < 0) {
            return ReserveOutcome.INSUFFICIENT_FUNDS;
        }
        holds.put(holdId, new Hold(amount));
        held += amount;
        return ReserveOutcome.RESERVED;
    }

    /** Redis' sweep returned this hold's money (its TTL passed). */
    void expire(String holdId) {
        Hold h = holds.get(holdId);
        if (h != null && h.state == 'o') {
            h.state = 'e';
            held -= h.amount;
        }
    }

    /** Expected {charged, duplicate?1:0, late?1:0, over}. */
    long[] settle(String holdId, long cost) {
        Hold h = holds.get(holdId);
        if (h != null && (h.state == 's' || h.state == 'r')) {
            return new long[]{h.state == 's' ? h.charged : 0, 1, 0, 0};
        }
        long over = h == null ? 0 : Math.max(0, cost - h.amount);
        boolean isLate = h == null || h.state == 'e';
        if (h == null) {
            h = new Hold(0);
            holds.put(holdId, h);
        } else if (h.state == 'o') {
            held -= h.amount;
        }
        h.state = 's';
        h.charged = cost;
        balance -= cost;
        spent += cost;
        charged += cost;
        overage += over;
        if (isLate) {
            late += cost;
        }
        return new long[]{cost, 0, isLate ? 1 : 0, over};
    }

    boolean release(String holdId) {
        Hold h = holds.get(holdId);
        if (h == null || h.state != 'o') {
            return false;
        }
        h.state = 'r';
        held -= h.amount;
        return true;
    }

    /** Books in the ledger first (as billing does), then applies to Redis. */
    CreditOutcome credit(String ref, long amount) {
        ledger.putIfAbsent(ref, amount);
        return applyCredit(ref, amount);
    }

    CreditOutcome applyCredit(String ref, long amount) {
        if (applied.containsKey(ref)) {
            return CreditOutcome.DUPLICATE;
        }
        long after = balance + amount;
        if (after > Micros.MAX_BALANCE || after < -Micros.MAX_BALANCE) {
            return CreditOutcome.OUT_OF_RANGE;
        }
        applied.put(ref, amount);
        balance = after;
        return CreditOutcome.APPLIED;
    }

    /** A failover lost one applied credit from Redis. */
    void loseCredit(String ref) {
        Long amount = applied.remove(ref);
        if (amount != null) {
            balance -= amount;
        }
    }

    /** A failover lost the last {@code amount} of settled charges from Redis (still in PostgreSQL). */
    void loseSpent(long amount) {
        spent -= amount;
        balance += amount;
    }

    /** The rebuild merges a (possibly stale) ledger view and a floor of recorded usage. */
    void rebuild(Map<String, Long> ledgerView, long recordedUsage) {
        ledgerView.forEach((ref, amount) -> {
            if (!applied.containsKey(ref)) {
                applied.put(ref, amount);
                balance += amount;
            }
        });
        if (recordedUsage > spent) {
            balance -= recordedUsage - spent;
            spent = recordedUsage;
        }
    }

    long openHeld() {
        return holds.values().stream().filter(h -> h.state == 'o').mapToLong(h -> h.amount).sum();
    }
}
