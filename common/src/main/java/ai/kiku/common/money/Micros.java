package ai.kiku.common.money;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Integer micro-dollar arithmetic and its decimal rendering: the only money type of the platform. */
public final class Micros {

    /** One US dollar in micros. */
    public static final long PER_USD = 1_000_000L;

    /**
     * Largest amount accepted anywhere (one billion dollars). Keeps every value exactly
     * representable in Redis Lua, whose numbers are doubles (exact to 2^53).
     */
    public static final long MAX_AMOUNT = 1_000_000_000L * PER_USD;

    /**
     * Largest balance, either sign, an account may reach (four billion dollars; prelude.lua's
     * MAX_BALANCE). With amounts bounded by {@link #MAX_AMOUNT}, every value a money script compares
     * stays below 2^53, where Lua's doubles are exact.
     */
    public static final long MAX_BALANCE = 4 * MAX_AMOUNT;

    private Micros() {
    }

    /** Renders micros as a decimal dollar string with six places, e.g. {@code -1.250000}. */
    public static String format(long micros) {
        return appendTo(new StringBuilder(28), micros).toString();
    }

    /**
     * Appends {@link #format}'s rendering without an intermediate string or BigDecimal: balances are
     * rendered on the hot path of every balance call.
     */
    public static StringBuilder appendTo(StringBuilder out, long micros) {
        if (micros == Long.MIN_VALUE) {
            return out.append(BigDecimal.valueOf(micros, 6).toPlainString());
        }
        long abs = Math.abs(micros);
        long units = abs / PER_USD;
        int fraction = (int) (abs % PER_USD);
        if (micros < 0) {
            out.append('-');
        }
        out.append(units).append('.');
        for (int scale = 100_000; scale > 0; scale /= 10) {
            out.append((char) ('0' + fraction / scale % 10));
        }
        return out;
    }

    /**
     * Parses a decimal dollar string ("12.5", "0.000001") into micros.
     *
     * @throws IllegalArgumentException when it is not a number, has more than six decimals, or
     *                                  exceeds {@link #MAX_AMOUNT}
     */
    public static long parse(String dollars) {
        BigDecimal value;
        try {
            value = new BigDecimal(dollars.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("not a decimal amount: " + dollars);
        }
        BigDecimal micros = value.movePointRight(6);
        if (micros.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("more than six decimal places: " + dollars);
        }
        long result = micros.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        requireInRange(result);
        return result;
    }

    /** Fails when |micros| exceeds {@link #MAX_AMOUNT}. */
    public static long requireInRange(long micros) {
        if (micros > MAX_AMOUNT || micros < -MAX_AMOUNT) {
            throw new IllegalArgumentException("amount out of range: " + micros);
        }
        return micros;
    }

    /**
     * Price of {@code tokens} at {@code microsPerMillion} per million tokens, rounded up to the
     * next whole micro so that a partial micro is never given away by many small calls.
     */
    public static long perMillionTokens(long tokens, long microsPerMillion) {
        if (tokens <= 0 || microsPerMillion <= 0) {
            return 0;
        }
        return -Math.floorDiv(-Math.multiplyExact(tokens, microsPerMillion), 1_000_000L);
    }
}
