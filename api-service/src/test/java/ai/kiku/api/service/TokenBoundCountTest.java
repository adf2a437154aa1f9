package ai.kiku.api.service;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The arithmetic of a request's token bound and estimate, row by row (the counting of bodies is TokenBoundTest's). */
class TokenBoundCountTest {

    @ParameterizedTest(name = "bound {0}B {1}img {2}msg {3}tools {4}replayed = {7}, estimate {8}")
    @CsvSource({
            // bytes, images, messages, tools, replayed, imageTokens, outputCap, bound, estimate
            "0,       0,      0,        0,     0,        1445,        4096,      3,     3",
            "1,       0,      0,        0,     0,        1445,        4096,      4,     4",     // one byte: one token
            "3,       0,      0,        0,     0,        1445,        4096,      6,     4",     // estimate: 3 bytes a token
            "4,       0,      0,        0,     0,        1445,        4096,      7,     5",     // estimate rounds up
            "100,     0,      2,        0,     0,        1445,        4096,      111,   45",
            "100,     0,      2,        3,     0,        1445,        4096,      135,   69",
            "100,     2,      1,        0,     0,        1445,        4096,      2997,  2931",
            "100,     0,      1,        0,     2,        1445,        4096,      8299,  8233",
            "0,       1,      0,        0,     0,        0,           0,         3,     3",
    })
    void boundsAndEstimatesTheInputTokens(long bytes, long images, long messages, long tools, long replayed,
                                          long imageTokens, long outputCap, long bound, long estimate) {
        TokenBound.Count count = new TokenBound.Count(bytes, images, messages, tools, replayed, 0);
        assertThat(count.bound(imageTokens, outputCap)).isEqualTo(bound);
        assertThat(count.estimate(imageTokens, outputCap)).isEqualTo(estimate);
        assertThat(count.estimate(imageTokens, outputCap)).isLessThanOrEqualTo(count.bound(imageTokens, outputCap));
    }

    @ParameterizedTest
    @CsvSource({
            "9223372036854775807, 0,                   0,                   0,                   0",
            "0,                   9223372036854775807, 0,                   0,                   0",
            "0,                   0,                   2305843009213693952, 0,                   0",  // 4 × 2^61
            "0,                   0,                   0,                   1152921504606846976, 0",  // 8 × 2^60
            "0,                   0,                   0,                   0,                   9223372036854775807",
    })
    void refusesABoundThatOverflows(long bytes, long images, long messages, long tools, long replayed) {
        TokenBound.Count count = new TokenBound.Count(bytes, images, messages, tools, replayed, 0);
        assertThatThrownBy(() -> count.bound(1445, 4096)).isInstanceOf(ArithmeticException.class);
    }
}
