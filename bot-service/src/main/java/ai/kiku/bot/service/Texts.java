package ai.kiku.bot.service;

import ai.kiku.common.money.Micros;

import java.math.BigDecimal;

/** Rendering helpers for Telegram HTML messages: escaping and money for people. */
public final class Texts {

    public static final String COMMANDS = """
            /balance — your balance
            /topup — buy credits
            /keys — your API keys
            /newkey &lt;name&gt; — create an API key
            /revoke &lt;keyId&gt; — revoke an API key
            /usage — what you spent today and in the last 7 days
            /help — this list""";

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
}
