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
