package ai.kiku.bot.i18n;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every text, button and notification the user reads, from {@code messages/bot_<lang>.properties}
 * (UTF-8). Placeholders are {@code {name}}, filled by name, so that a translation may reorder them and an
 * apostrophe needs no escaping (as it would with MessageFormat). Values are Telegram HTML.
 */
public final class Messages {

    /** A placeholder: {@code {name}}. */
    public static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-zA-Z][a-zA-Z0-9]*)}");

    private static final Map<Lang, Properties> BUNDLES = new EnumMap<>(Lang.class);

    static {
        for (Lang lang : Lang.values()) {
            BUNDLES.put(lang, load(lang));
        }
    }

    private Messages() {
    }

    /** The text of {@code key}; {@code args} are name, value pairs. A missing key is a bug: it throws. */
    public static String t(Lang lang, String key, Object... args) {
        String text = BUNDLES.get(lang).getProperty(key);
        if (text == null) {
            throw new IllegalArgumentException("no message " + key + " in " + lang.code());
        }
        if (args.length == 0) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 32);
        while (m.find()) {
            Object value = null;
            boolean found = false;
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (m.group(1).equals(args[i])) {
                    value = args[i + 1];
                    found = true;
                    break;
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(found ? String.valueOf(value) : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The keys of a language's bundle (for the bundle test). */
    public static Set<String> keys(Lang lang) {
        return new TreeSet<>(BUNDLES.get(lang).stringPropertyNames());
    }

    /** The raw text of a key, placeholders unfilled, or null. */
    public static String raw(Lang lang, String key) {
        return BUNDLES.get(lang).getProperty(key);
    }

    private static Properties load(Lang lang) {
        String path = "messages/bot_" + lang.code() + ".properties";
        try (InputStream in = Messages.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            Properties p = new Properties();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
