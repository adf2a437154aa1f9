package ai.kiku.api.service;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallPriceTest {

    private static CallPrice price(long perRequest, long inPerMillion, long outPerMillion) {
        return new CallPrice("m", "p", perRequest, inPerMillion, outPerMillion, 4096);
    }

    @ParameterizedTest(name = "{0} + {3}×{1}/M + {4}×{2}/M = {5}")
    @CsvSource({
            // perRequest,         inPerM,   outPerM,  in,            out,     expected micros
            "0,                    0,        0,        0,             0,       0",
            "1000,                 150000,   600000,   0,             0,       1000",    // per request only
            "0,                    150000,   600000,   1,             0,       1",       // 0.15 rounds up
            "0,                    150000,   600000,   0,             1,       1",       // 0.6 rounds up
            "0,                    1000000,  0,        1,             0,       1",       // exact: no rounding
            "0,                    1000001,  0,        1,             0,       2",       // 1.000001 rounds up
            "0,                    999999,   0,        1,             0,       1",
            "0,                    150000,   0,        1000000,       0,       150000",
            "0,                    150000,   0,        1000001,       0,       150001",  // 150000.15 rounds up
            "100,                  2500000,  10000000, 1234,          567,     8855",
            "100,                  3,        7,        333333,        142857,  102",     // each part rounds up alone
            "0,                    1,        1,        1000000,       1000001, 3",
            "5,                    100,      100,      -10,           -10,     5",       // no negative token charge
            "5,                    0,        0,        1000000,       1000000, 5",       // free tokens
            "9223372036854775807,  0,        0,        0,             0,       9223372036854775807",
            "0,                    1000000,  0,        9223372036854, 0,       9223372036854",  // largest exact product
    })
    void costsPerRequestPlusTokensRoundedUpToAWholeMicro(long perRequest, long inPerMillion, long outPerMillion,
                                                         long in, long out, long expected) {
        assertThat(price(perRequest, inPerMillion, outPerMillion).cost(in, out)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "0,                    1000000, 0,       9223372036855, 0",   // token product overflows
            "9223372036854775807,  1000000, 0,       1,             0",   // sum overflows
            "0,                    9223372036854775807, 9223372036854775807, 1000000, 1000000",
    })
    void refusesACostThatOverflows(long perRequest, long inPerMillion, long outPerMillion, long in, long out) {
        assertThatThrownBy(() -> price(perRequest, inPerMillion, outPerMillion).cost(in, out))
                .isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest(name = "reserve for {3} in / {4} out = {5}")
    @CsvSource({
            "1000,  150000,  600000,  0,                0,     1000",
            "1000,  150000,  600000,  8195,             4096,  4688",  // 1229.25 -> 1230, 2457.6 -> 2458
            "999999999999999,  1000000, 0, 1,             0,     1000000000000000",  // exactly the largest amount
            "0,     1000000, 1000000, 9223372036854, 0,        9223372036854",     // the largest token part
            "0,     0,       0,       9223372036854775807, 9223372036854775807, 0",  // free model: any bound
    })
    void reservesTheGreatestPossibleCost(long perRequest, long inPerMillion, long outPerMillion, long inBound,
                                         long outBound, long expected) {
        assertThat(price(perRequest, inPerMillion, outPerMillion).reservation(inBound, outBound)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "1000000000000000, 1000000, 0, 1,       0,             java.lang.IllegalArgumentException",  // 1 micro over
            "1000000000000001, 0,       0, 0,       0,             java.lang.IllegalArgumentException",
            "0,    1000000, 0, 9223372036855,    0,             java.lang.ArithmeticException",
            "0,    0, 1000000, 0,                9223372036855, java.lang.ArithmeticException",
    })
    void refusesAReservationTooLargeToPrice(long perRequest, long inPerMillion, long outPerMillion, long inBound,
                                            long outBound, Class<? extends Throwable> refusal) {
        assertThatThrownBy(() -> price(perRequest, inPerMillion, outPerMillion).reservation(inBound, outBound))
                .isInstanceOf(refusal);
    }

    @ParameterizedTest(name = "({0} + {1}) × {2} = {3}")
    @CsvSource({
            "4096,                0,   1,   4096",
            "4096,                100, 3,   12588",
            "0,                   0,   1,   0",
            "1,                   0,   128, 128",
            "4611686018427387903, 0,   2,   9223372036854775806",
    })
    void boundsOutputByMaxTokensAndPredictionPerChoice(long maxOut, long predictionBytes, long choices, long expected) {
        assertThat(CallPrice.outputBound(maxOut, predictionBytes, choices)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "9223372036854775807, 1, 1",
            "4611686018427387904, 0, 2",
            "4096, 9223372036854775807, 1",
    })
    void refusesAnOutputBoundThatOverflows(long maxOut, long predictionBytes, long choices) {
        assertThatThrownBy(() -> CallPrice.outputBound(maxOut, predictionBytes, choices))
                .isInstanceOf(ArithmeticException.class);
    }
}
