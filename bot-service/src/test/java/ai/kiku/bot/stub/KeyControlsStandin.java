package ai.kiku.bot.stub;

import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.KeyControls;
import ai.kiku.common.money.Micros;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * CONTRACT STAND-IN of billing's PATCH of a key (docs/key-controls.md): sent controls are set, unsent ones kept,
 * those in {@code clear} lifted; out-of-bounds values, unknown names in {@code clear}, a control both sent and
 * cleared and an empty change are refused with the problem detail billing gives (field first).
 */
final class KeyControlsStandin {

    private static final Set<String> FIELDS = Set.of("spendCapMicros", "monthlySpendCapMicros", "allowedModels",
            "expiresAt", "tokensPerMinute");
    private static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private KeyControlsStandin() {
    }

    /** The key's controls after the change; IllegalArgumentException carries the 400's detail. */
    static KeyControls apply(KeyControls now, InternalRequests.UpdateKey body) {
        if (body == null) {
            throw new IllegalArgumentException("body is required");
        }
        cap("spendCapMicros", body.spendCapMicros());
        cap("monthlySpendCapMicros", body.monthlySpendCapMicros());
        if (body.tokensPerMinute() != null && (body.tokensPerMinute() < 1 || body.tokensPerMinute() > 1_000_000_000)) {
            throw new IllegalArgumentException("tokensPerMinute must be between 1 and 1000000000");
        }
        if (body.expiresAt() != null && (body.expiresAt().isBefore(Instant.EPOCH) || body.expiresAt().isAfter(LATEST_EXPIRY))) {
            throw new IllegalArgumentException("expiresAt must be between 1970-01-01T00:00:00Z and " + LATEST_EXPIRY);
        }
        List<String> models = body.allowedModels();
        if (models != null && (models.isEmpty() || models.size() > 100
                || models.stream().anyMatch(m -> m == null || m.isBlank() || m.length() > 256))) {
            throw new IllegalArgumentException("allowedModels must name 1 to 100 models of 1 to 256 characters");
        }
        List<String> clear = body.clear() == null ? List.of() : body.clear();
        if (!FIELDS.containsAll(clear)) {
            throw new IllegalArgumentException("clear may name only " + FIELDS);
        }
        if ((body.spendCapMicros() != null && clear.contains("spendCapMicros"))
                || (body.monthlySpendCapMicros() != null && clear.contains("monthlySpendCapMicros"))
                || (models != null && clear.contains("allowedModels"))
                || (body.expiresAt() != null && clear.contains("expiresAt"))
                || (body.tokensPerMinute() != null && clear.contains("tokensPerMinute"))) {
            throw new IllegalArgumentException("clear: a control cannot be both set and cleared");
        }
        if (body.spendCapMicros() == null && body.monthlySpendCapMicros() == null && models == null
                && body.expiresAt() == null && body.tokensPerMinute() == null && clear.isEmpty()) {
            throw new IllegalArgumentException("body: give at least one control or clear");
        }
        return new KeyControls(
                clear.contains("spendCapMicros") ? null : pick(body.spendCapMicros(), now.spendCapMicros()),
                clear.contains("monthlySpendCapMicros") ? null : pick(body.monthlySpendCapMicros(), now.monthlySpendCapMicros()),
                clear.contains("allowedModels") ? null : pick(models == null ? null : List.copyOf(models), now.allowedModels()),
                clear.contains("expiresAt") ? null : pick(body.expiresAt(), now.expiresAt()),
                clear.contains("tokensPerMinute") ? null : pick(body.tokensPerMinute(), now.tokensPerMinute()));
    }

    private static void cap(String field, Long value) {
        if (value != null && (value < 0 || value > Micros.MAX_AMOUNT)) {
            throw new IllegalArgumentException(field + " must be between 0 and " + Micros.MAX_AMOUNT + " micro-USD");
        }
    }

    private static <T> T pick(T given, T now) {
        return given != null ? given : now;
    }
}
