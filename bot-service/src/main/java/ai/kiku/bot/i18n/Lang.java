package ai.kiku.bot.i18n;

import java.util.Locale;
import java.util.Optional;

/** The languages the bot speaks; the code is what Telegram's {@code language_code} and setMyCommands use. */
public enum Lang {
    EN("en"), RU("ru");

    private final String code;

    Lang(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Russian for {@code ru}, {@code ru-RU} and the like; English for everything else, null included. */
    public static Lang fromTelegram(String languageCode) {
        return languageCode != null && languageCode.toLowerCase(Locale.ROOT).startsWith("ru") ? RU : EN;
    }

    /** Exactly a code the bot stored or put in a button, else empty. */
    public static Optional<Lang> ofCode(String code) {
        for (Lang lang : values()) {
            if (lang.code.equals(code)) {
                return Optional.of(lang);
            }
        }
        return Optional.empty();
    }
}
