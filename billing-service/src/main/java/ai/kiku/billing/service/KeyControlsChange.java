package ai.kiku.billing.service;

import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.KeyControls;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A validated change of a key's controls ({@link InternalRequests.UpdateKey}): what it sets and what it
 * clears, applied to the controls the key has. Validation happens before anything is written.
 */
final class KeyControlsChange implements UnaryOperator<KeyControls> {

    static final String SPEND_CAP = "spendCapMicros";
    static final String MONTHLY_SPEND_CAP = "monthlySpendCapMicros";
    static final String ALLOWED_MODELS = "allowedModels";
    static final String EXPIRES_AT = "expiresAt";
    static final String TOKENS_PER_MINUTE = "tokensPerMinute";
    private static final Set<String> FIELDS = Set.of(SPEND_CAP, MONTHLY_SPEND_CAP, ALLOWED_MODELS, EXPIRES_AT,
            TOKENS_PER_MINUTE);

    static final int MAX_MODELS = 100;
    static final int MAX_MODEL_LENGTH = 256;
    /** Highest tokens-per-minute limit: far above what any key could use, and exact in Lua's doubles. */
    static final int MAX_TOKENS_PER_MINUTE = 1_000_000_000;
    /** Expiry times are taken between 1970 and the end of 9999: epoch milliseconds in Redis, timestamptz in PostgreSQL. */
    static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final InternalRequests.UpdateKey body;
    private final List<String> models;
    private final Set<String> clear;

    private KeyControlsChange(InternalRequests.UpdateKey body, List<String> models, Set<String> clear) {
        this.body = body;
        this.models = models;
        this.clear = clear;
    }

    static KeyControlsChange of(InternalRequests.UpdateKey body) {
        Check.body(body);
        cap(SPEND_CAP, body.spendCapMicros());
        cap(MONTHLY_SPEND_CAP, body.monthlySpendCapMicros());
        if (body.tokensPerMinute() != null && (body.tokensPerMinute() < 1 || body.tokensPerMinute() > MAX_TOKENS_PER_MINUTE)) {
            throw ProblemException.badRequest(TOKENS_PER_MINUTE, TOKENS_PER_MINUTE + " must be between 1 and "
                    + MAX_TOKENS_PER_MINUTE);
        }
        if (body.expiresAt() != null && (body.expiresAt().isBefore(Instant.EPOCH) || body.expiresAt().isAfter(LATEST_EXPIRY))) {
            throw ProblemException.badRequest(EXPIRES_AT, EXPIRES_AT + " must be between 1970-01-01T00:00:00Z and "
                    + LATEST_EXPIRY);
        }
        List<String> models = models(body.allowedModels());
        Set<String> clear = clear(body);
        if (body.spendCapMicros() == null && body.monthlySpendCapMicros() == null && models == null
                && body.expiresAt() == null && body.tokensPerMinute() == null && clear.isEmpty()) {
            throw ProblemException.badRequest("body", "give at least one of " + SPEND_CAP + ", " + MONTHLY_SPEND_CAP
                    + ", " + ALLOWED_MODELS + ", " + EXPIRES_AT + ", " + TOKENS_PER_MINUTE + " or clear");
        }
        return new KeyControlsChange(body, models, clear);
    }

    @Override
    public KeyControls apply(KeyControls now) {
        return new KeyControls(
                pick(SPEND_CAP, body.spendCapMicros(), now.spendCapMicros()),
                pick(MONTHLY_SPEND_CAP, body.monthlySpendCapMicros(), now.monthlySpendCapMicros()),
                pick(ALLOWED_MODELS, models, now.allowedModels()),
                pick(EXPIRES_AT, body.expiresAt(), now.expiresAt()),
                pick(TOKENS_PER_MINUTE, body.tokensPerMinute(), now.tokensPerMinute()));
    }

    private <T> T pick(String field, T given, T now) {
        if (clear.contains(field)) {
            return null;
        }
        return given != null ? given : now;
    }

    private static void cap(String field, Long value) {
        if (value != null && (value < 0 || value > Micros.MAX_AMOUNT)) {
            throw ProblemException.badRequest(field, field + " must be between 0 and " + Micros.MAX_AMOUNT
                    + " micro-USD");
        }
    }

    private static List<String> models(List<String> given) {
        if (given == null) {
            return null;
        }
        if (given.isEmpty()) {
            throw ProblemException.badRequest(ALLOWED_MODELS, ALLOWED_MODELS
                    + " must name at least one model; to allow every model, put \"allowedModels\" in clear");
        }
        if (given.size() > MAX_MODELS) {
            throw ProblemException.badRequest(ALLOWED_MODELS, ALLOWED_MODELS + " may name at most " + MAX_MODELS
                    + " models");
        }
        List<String> models = new ArrayList<>(given.size());
        for (String model : given) {
            // names go to Redis as they are sent in "model": no trimming, and no line break (the stored separator)
            if (model == null || model.isBlank() || model.length() > MAX_MODEL_LENGTH
                    || model.chars().anyMatch(Character::isISOControl)) {
                throw ProblemException.badRequest(ALLOWED_MODELS, ALLOWED_MODELS
                        + " must hold model names of 1 to " + MAX_MODEL_LENGTH + " characters without control characters");
            }
            if (!models.contains(model)) {
                models.add(model);
            }
        }
        return List.copyOf(models);
    }

    private static Set<String> clear(InternalRequests.UpdateKey body) {
        if (body.clear() == null) {
            return Set.of();
        }
        for (String field : body.clear()) {
            if (field == null || !FIELDS.contains(field)) {
                throw ProblemException.badRequest("clear", "clear may name only " + SPEND_CAP + ", " + MONTHLY_SPEND_CAP
                        + ", " + ALLOWED_MODELS + ", " + EXPIRES_AT + ", " + TOKENS_PER_MINUTE);
            }
        }
        Set<String> clear = Set.copyOf(body.clear());
        if ((body.spendCapMicros() != null && clear.contains(SPEND_CAP))
                || (body.monthlySpendCapMicros() != null && clear.contains(MONTHLY_SPEND_CAP))
                || (body.allowedModels() != null && clear.contains(ALLOWED_MODELS))
                || (body.expiresAt() != null && clear.contains(EXPIRES_AT))
                || (body.tokensPerMinute() != null && clear.contains(TOKENS_PER_MINUTE))) {
            throw ProblemException.badRequest("clear", "a control cannot be both set and cleared");
        }
        return clear;
    }
}
