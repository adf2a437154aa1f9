package ai.kiku.api.http;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The budget's size: configured, else an eighth of the heap; never below what one request alone may send. */
class BodyBudgetSizeTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void shouldTakeAnEighthOfTheHeapWhenUnset() {
        assertThat(BodyBudget.capacity(Optional.empty(), 600 * MIB, 20 * MIB)).isEqualTo(75 * MIB);
    }

    @Test
    void shouldUseTheConfiguredSize() {
        assertThat(BodyBudget.capacity(Optional.of(64 * MIB), 600 * MIB, 20 * MIB)).isEqualTo(64 * MIB);
    }

    @Test
    void shouldNeverBeSmallerThanTheLargestBodyLimit() {
        assertThat(BodyBudget.capacity(Optional.empty(), 128 * MIB, 20 * MIB)).isEqualTo(20 * MIB);
        assertThat(BodyBudget.capacity(Optional.of(MIB), 600 * MIB, 20 * MIB)).isEqualTo(20 * MIB);
    }
}
