package ai.kiku.common.money;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MicrosTest {

    @Test
    void shouldRenderMicrosAsSixDecimalDollars() {
        assertThat(Micros.format(1_000)).isEqualTo("0.001000");
        assertThat(Micros.format(-1_250_000)).isEqualTo("-1.250000");
        assertThat(Micros.format(0)).isEqualTo("0.000000");
        assertThat(Micros.format(-1)).isEqualTo("-0.000001");
        assertThat(Micros.format(Long.MAX_VALUE)).isEqualTo("9223372036854.775807");
        assertThat(Micros.format(Long.MIN_VALUE)).isEqualTo("-9223372036854.775808");
    }

    @Test
    void shouldRenderExactlyAsBigDecimalDoes() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            long micros = i % 2 == 0 ? random.nextLong() : random.nextInt();
            assertThat(Micros.format(micros))
                    .isEqualTo(java.math.BigDecimal.valueOf(micros, 6).toPlainString());
        }
    }

    @Test
    void shouldParseDecimalDollarsExactly() {
        assertThat(Micros.parse("12.5")).isEqualTo(12_500_000);
        assertThat(Micros.parse("0.000001")).isEqualTo(1);
        assertThatThrownBy(() -> Micros.parse("0.0000001")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Micros.parse("1e12")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Micros.parse("abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRoundTokenPricesUpToTheNextMicro() {
        assertThat(Micros.perMillionTokens(1, 150_000)).isEqualTo(1);
        assertThat(Micros.perMillionTokens(1_000_000, 150_000)).isEqualTo(150_000);
        assertThat(Micros.perMillionTokens(7, 600_000)).isEqualTo(5);
        assertThat(Micros.perMillionTokens(0, 600_000)).isZero();
    }
}
