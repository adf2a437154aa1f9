package ai.kiku.common.money;

/** What a reservation attempt came to; each carries the code reserve.lua returns for it. */
public enum ReserveOutcome {
    RESERVED(0), INSUFFICIENT_FUNDS(1), RATE_LIMITED(2), KEY_INACTIVE(3), ACCOUNT_INACTIVE(4), NO_ACCOUNT(5),
    DUPLICATE_HOLD(6), KEY_EXPIRED(7), MODEL_NOT_ALLOWED(8), TOKEN_RATE_LIMITED(9), SPEND_CAP_REACHED(10),
    MONTHLY_SPEND_CAP_REACHED(11);

    private final int code;

    ReserveOutcome(int code) {
        this.code = code;
    }

    /** The code reserve.lua returns for this outcome. */
    public int code() {
        return code;
    }

    /** The outcome reserve.lua meant by {@code code}; an unknown code is a script/Java mismatch and throws. */
    public static ReserveOutcome fromCode(int code) {
        for (ReserveOutcome o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        throw new IllegalStateException("reserve.lua returned unknown code " + code);
    }
}
