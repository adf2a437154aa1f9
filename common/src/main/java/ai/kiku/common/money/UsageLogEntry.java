package ai.kiku.common.money;

import java.util.Map;

/**
 * One entry of a partition's usage log as written by settle.lua / the low-balance check: either a
 * settled charge ({@code type=usage}) or a low-balance crossing ({@code type=low_balance}).
 * {@code overageMicros} (field {@code over}) is the part of the charge beyond the reservation; entries
 * written before settle recorded it have none, which reads as 0.
 */
public record UsageLogEntry(String streamId, String type, long accountId, String requestId, long keyId,
                            String product, String model, long inputTokens, long outputTokens,
                            long costMicros, boolean late, long balanceMicros, long thresholdMicros,
                            long occurredAtMillis, long overageMicros) {

    /** An entry without overage (every entry written before settle recorded it). */
    public UsageLogEntry(String streamId, String type, long accountId, String requestId, long keyId,
                         String product, String model, long inputTokens, long outputTokens,
                         long costMicros, boolean late, long balanceMicros, long thresholdMicros,
                         long occurredAtMillis) {
        this(streamId, type, accountId, requestId, keyId, product, model, inputTokens, outputTokens, costMicros, late,
                balanceMicros, thresholdMicros, occurredAtMillis, 0);
    }

    public static final String USAGE = "usage";
    public static final String LOW_BALANCE = "low_balance";

    public boolean isUsage() {
        return USAGE.equals(type);
    }

    public boolean isLowBalance() {
        return LOW_BALANCE.equals(type);
    }

    /** Parses the field map of a stream entry. */
    public static UsageLogEntry of(String streamId, Map<String, String> f) {
        return new UsageLogEntry(streamId, f.getOrDefault("type", ""), num(f, "acct"), f.get("req"),
                num(f, "key"), f.get("product"), f.get("model"), num(f, "in"), num(f, "out"),
                num(f, "cost"), "1".equals(f.get("late")), num(f, "balance"), num(f, "threshold"),
                num(f, "ts"), num(f, "over"));
    }

    private static long num(Map<String, String> f, String name) {
        String v = f.get(name);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }
}
