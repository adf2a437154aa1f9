package ai.kiku.bot.service;

import ai.kiku.common.money.Micros;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Rendering helpers for Telegram HTML messages: escaping, money and dates for people. */
public final class Texts {

    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private Texts() {
    }

    /** Escapes text for parse_mode=HTML. */
    public static String html(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** US dollars with at least two and at most six decimals, exact: 5000000 → "$5.00", 3000 → "$0.003". */
    public static String usd(long micros) {
        BigDecimal value = new BigDecimal(Micros.format(Math.abs(micros))).stripTrailingZeros();
        if (value.scale() < 2) {
            value = value.setScale(2);
        }
        return (micros < 0 ? "-$" : "$") + value.toPlainString();
    }

    /** A signed amount: "+$5.00", "-$1.25". */
    public static String signedUsd(long micros) {
        return micros > 0 ? "+" + usd(micros) : usd(micros);
    }

    /** A whole number with thin spaces between thousands ("1 234 567"), readable in both languages. */
    public static String count(long n) {
        String digits = Long.toString(Math.abs(n));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            if (i > 0 && (digits.length() - i) % 3 == 0) {
                out.append('\u202f');
            }
            out.append(digits.charAt(i));
        }
        return (n < 0 ? "-" : "") + out;
    }

    public static String dateTime(Instant at) {
        return DATE_TIME.format(at);
    }

    public static String date(Instant at) {
        return DATE.format(at);
    }
}
