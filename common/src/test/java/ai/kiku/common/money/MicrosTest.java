package ai.kiku.common.money;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    @ParameterizedTest(name = "{0} tokens at {1}/M = {2}")
    @CsvSource({
            // tokens,              microsPerMillion,    expected micros
            "0,                     600000,              0",
            "1000,                  0,                   0",
            "-5,                    600000,              0",
            "5,                     -600000,             0",
            "1,                     1,                   1",      // a millionth of a micro still costs one
            "1000000,               1,                   1",
            "1000001,               1,                   2",
            "999999,                1,                   1",
            "1,                     999999,              1",
            "1,                     1000000,             1",
            "1,                     1000001,             2",
            "2,                     500000,              1",      // exactly one: no rounding
            "3,                     500000,              2",      // 1.5 rounds up
            "1234567,               2500000,             3086418", // 3086417.5 rounds up
            "9223372036854,         1000000,             9223372036854",
            "9223372036854775807,   1,                   9223372036855",
            "1,                     9223372036854775807, 9223372036855",
    })
    void pricesTokensRoundingUpToTheNextMicro(long tokens, long perMillion, long expected) {
        assertThat(Micros.perMillionTokens(tokens, perMillion)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "9223372036855,       1000000",
            "9223372036854775807, 2",
            "4294967296,          4294967296",
    })
    void refusesATokenPriceThatOverflows(long tokens, long perMillion) {
        assertThatThrownBy(() -> Micros.perMillionTokens(tokens, perMillion)).isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "0,                 true",
            "1000000000000000,  true",
            "-1000000000000000, true",
            "1000000000000001,  false",
            "-1000000000000001, false",
            "9223372036854775807, false",
            "-9223372036854775808, false",
    })
    void acceptsOnlyAmountsWithinTheLargestAmount(long micros, boolean inRange) {
        if (inRange) {
            assertThat(Micros.requireInRange(micros)).isEqualTo(micros);
        } else {
            assertThatThrownBy(() -> Micros.requireInRange(micros)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "{0} dollars = {1} micros")
    @CsvSource({
            "0,                0",
            "0.000001,         1",
            "1,                1000000",
            "12.5,             12500000",
            "-1.25,            -1250000",
            "1000000000,       1000000000000000",   // the largest amount
            "-1000000000,      -1000000000000000",
            "999999999.999999, 999999999999999",
    })
    void parsesDecimalDollarsExactly(String dollars, long micros) {
        assertThat(Micros.parse(dollars)).isEqualTo(micros);
    }

    @ParameterizedTest
    @CsvSource({"0.0000001", "1e12", "abc", "1000000000.000001", "-1000000000.000001", "''"})
    void refusesDollarsThatAreNotWholeMicrosOrDoNotFit(String dollars) {
        assertThatThrownBy(() -> Micros.parse(dollars)).isInstanceOf(IllegalArgumentException.class);
    }
}
