package ai.kiku.billing.usage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QuietPartitionsTest {

    private final QuietPartitions quiet = new QuietPartitions(4, 200, 2000);

    @Test
    void shouldReadAPartitionThatKeepsComingBackEmptyAfterPausesThatDoubleUpToTheCap() {
        long now = 1_000_000;
        long[] pauses = new long[7];
        for (int i = 0; i < pauses.length; i++) {
            quiet.empty(0, now);
            long next = now;
            while (!quiet.due(0, next)) {
                next++;
            }
            pauses[i] = next - now;
            now = next;
        }
        assertThat(pauses).containsExactly(200, 400, 800, 1600, 2000, 2000, 2000);
        assertThat(quiet.due(1, now)).as("other partitions are untouched").isTrue();
    }

    @Test
    void shouldMakeAPartitionDueAtOnceWhenItHadEntriesOrFailed() {
        long now = 5_000;
        for (int i = 0; i < 5; i++) {
            quiet.empty(2, now);
            quiet.empty(3, now);
        }
        assertThat(quiet.due(2, now + 1)).isFalse();
        quiet.active(2);
        assertThat(quiet.due(2, now + 1)).isTrue();
        quiet.empty(2, now);
        assertThat(quiet.due(2, now + 199)).as("back to the shortest pause").isFalse();
        assertThat(quiet.due(2, now + 200)).isTrue();

        quiet.reset();
        assertThat(quiet.due(3, now)).isTrue();
    }
}
