package ai.kiku.common.money;

/** What applying a ledger fact to Redis came to; each carries the code credit.lua returns for it. */
public enum CreditOutcome {
    APPLIED(0), DUPLICATE(1), NO_ACCOUNT(2), OUT_OF_RANGE(3);

    private final int code;

    CreditOutcome(int code) {
        this.code = code;
    }

    /** The code credit.lua returns for this outcome. */
    public int code() {
        return code;
    }

    /** The outcome credit.lua meant by {@code code}; an unknown code is a script/Java mismatch and throws. */
    public static CreditOutcome fromCode(int code) {
        for (CreditOutcome o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        throw new IllegalStateException("credit.lua returned unknown code " + code);
    }
}
