package ai.kiku.bot;

import ai.kiku.bot.service.Texts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Money and HTML as the user reads them. */
class TextsTest {

    @Test
    void shouldRenderMicrosExactlyWithAtLeastTwoDecimals() {
        assertThat(Texts.usd(5_000_000)).isEqualTo("$5.00");
        assertThat(Texts.usd(12_345_678)).isEqualTo("$12.345678");
        assertThat(Texts.usd(3_000)).isEqualTo("$0.003");
        assertThat(Texts.usd(1)).isEqualTo("$0.000001");
        assertThat(Texts.usd(0)).isEqualTo("$0.00");
        assertThat(Texts.usd(-1_250_000)).isEqualTo("-$1.25");
        assertThat(Texts.usd(1_000_000_000_000_000L)).isEqualTo("$1000000000.00");
    }

    @Test
    void shouldEscapeEverythingTelegramHtmlWouldInterpret() {
        assertThat(Texts.html("<b>Ann & \"Bob\"</b>")).isEqualTo("&lt;b&gt;Ann &amp; &quot;Bob&quot;&lt;/b&gt;");
        assertThat(Texts.html(null)).isEmpty();
    }
}
