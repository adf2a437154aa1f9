package ai.kiku.webhook.service;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProrationTest {

    @ParameterizedTest(name = "{1}/{2} of {0} micros takes back {3}")
    @CsvSource({
            // lineCredits,        amount,              lineTotal,           expected micros
            "10000000,             500,                 1000,                5000000",
            "10000000,             1000,                1000,                10000000",
            "10000000,             0,                   1000,                0",
            "0,                    500,                 1000,                0",
            "10000000,             1,                   3,                   3333333",   // rounds down
            "10000000,             2,                   3,                   6666666",   // rounds down, not to nearest
            "1,                    1,                   2,                   0",         // the half micro stays with the customer
            "999999,               999999,              1000000,             999998",
            "10000000,             2000,                1000,                10000000",  // capped at the line's credits
            "10000000,             1,                   1,                   10000000",
            "1000000000000000,     999,                 1000,                999000000000000",
            "9223372036854775807,  9223372036854775807, 9223372036854775807, 9223372036854775807", // no overflow
            "9223372036854775807,  1,                   9223372036854775807, 1",
            "9223372036854775807,  9223372036854775806, 9223372036854775807, 9223372036854775806",
    })
    void takesBackTheRoundedDownShareCappedAtTheLine(long lineCredits, long amount, long lineTotal, long expected) {
        assertThat(Proration.share(lineCredits, amount, lineTotal)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "10000000, 500, 0",
            "10000000, 500, -1000",
            "10000000, -1,  1000",
            "-1,       500, 1000",
    })
    void refusesWhatCannotBeProrated(long lineCredits, long amount, long lineTotal) {
        assertThatThrownBy(() -> Proration.share(lineCredits, amount, lineTotal))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
