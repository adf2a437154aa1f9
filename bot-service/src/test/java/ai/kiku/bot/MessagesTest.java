package ai.kiku.bot;

import ai.kiku.bot.i18n.Lang;
import ai.kiku.bot.i18n.Messages;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;

import static org.assertj.core.api.Assertions.assertThat;

/** The two bundles say the same things: the same keys, the same placeholders, nothing left empty. */
class MessagesTest {

    @Test
    void shouldHaveEveryKeyInBothLanguagesAndNoStrayOnes() {
        assertThat(Messages.keys(Lang.RU)).as("keys of bot_ru.properties")
                .containsExactlyElementsOf(Messages.keys(Lang.EN));
        assertThat(Messages.keys(Lang.EN)).hasSizeGreaterThan(100);
    }

    @Test
    void shouldUseTheSamePlaceholdersInBothLanguages() {
        for (String key : Messages.keys(Lang.EN)) {
            assertThat(placeholders(Messages.raw(Lang.RU, key))).as("placeholders of %s", key)
                    .isEqualTo(placeholders(Messages.raw(Lang.EN, key)));
            assertThat(Messages.raw(Lang.RU, key)).as(key).isNotBlank();
            assertThat(Messages.raw(Lang.EN, key)).as(key).isNotBlank();
        }
    }

    @Test
    void shouldFillPlaceholdersByNameAndReadTheBundlesAsUtf8() {
        assertThat(Messages.t(Lang.EN, "balance.line", "balance", "$1.00")).isEqualTo("Balance: <b>$1.00</b>");
        assertThat(Messages.t(Lang.RU, "balance.line", "balance", "$1.00")).isEqualTo("Баланс: <b>$1.00</b>");
        assertThat(Messages.t(Lang.EN, "revoke.done_short", "id", 7)).isEqualTo("Key #7 revoked.");
        assertThat(Lang.fromTelegram("ru-RU")).isEqualTo(Lang.RU);
        assertThat(Lang.fromTelegram("uk")).isEqualTo(Lang.EN);
        assertThat(Lang.fromTelegram(null)).isEqualTo(Lang.EN);
    }

    private static Set<String> placeholders(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = Messages.PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
