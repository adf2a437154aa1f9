package ai.kiku.billing.usage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Billing's pacing of the partition reads, round by round on a made-up clock. */
class PartitionScheduleTest {

    private static final int BATCH = 50;
    private final PartitionSchedule schedule = new PartitionSchedule(4, BATCH, 200, 2000);

    @Test
    void drainsOnlyThePartitionsThatFilledABatchUntilTheIdleBackoffPasses() {
        long now = 10_000;
        schedule.beginRound(now);
        schedule.read(0, BATCH, false, now);
        schedule.read(1, 3, false, now);
        schedule.read(2, 0, false, now);
        schedule.read(3, 0, false, now);
        assertThat(schedule.busy()).as("partition 0 has a backlog").isTrue();

        schedule.beginRound(now + 10);
        assertThat(schedule.due(0, now + 10)).isTrue();
        assertThat(schedule.due(1, now + 10)).as("not full: waits for the next full round").isFalse();
        assertThat(schedule.due(2, now + 10)).as("came back empty: rests").isFalse();
        schedule.read(0, 7, false, now + 10);
        assertThat(schedule.busy()).as("partition 0 drained").isFalse();

        schedule.beginRound(now + 200);
        assertThat(schedule.due(1, now + 200)).as("every partition with entries is read again").isTrue();
        assertThat(schedule.due(2, now + 200)).as("an empty one once its 200 ms pause passed").isTrue();
    }

    @Test
    void aFullRoundComesDueAfterTheIdleBackoffEvenWhileDraining() {
        long now = 10_000;
        schedule.beginRound(now);
        schedule.read(0, BATCH, false, now);
        schedule.read(1, 1, false, now);
        assertThat(schedule.busy()).isTrue();

        schedule.beginRound(now + 250);
        assertThat(schedule.due(1, now + 250)).as("idle backoff passed: a full round").isTrue();
    }

    @Test
    void aReReadOfOwnPendingEntriesKeepsThePartitionBusy() {
        long now = 10_000;
        schedule.beginRound(now);
        schedule.read(0, 1, true, now);
        assertThat(schedule.busy()).isTrue();
    }

    @Test
    void aFailedRoundEndsTheDrainingAndMakesTheFailedPartitionDue() {
        long now = 10_000;
        schedule.beginRound(now);
        schedule.read(0, BATCH, false, now);
        schedule.read(1, 0, false, now);
        assertThat(schedule.busy()).isTrue();

        schedule.beginRound(now + 10);
        schedule.failed(0);
        // the round threw: busy() is not asked, so the next round reads every due partition
        schedule.beginRound(now + 20);
        assertThat(schedule.due(0, now + 20)).isTrue();
        assertThat(schedule.due(3, now + 20)).as("never read: due").isTrue();
        assertThat(schedule.due(1, now + 20)).as("came back empty at 10,000: rests 200 ms").isFalse();
    }

    @Test
    void resetMakesEveryPartitionDue() {
        long now = 10_000;
        schedule.beginRound(now);
        for (int p = 0; p < 4; p++) {
            schedule.read(p, 0, false, now);
        }
        assertThat(schedule.busy()).isFalse();
        schedule.reset();
        schedule.beginRound(now + 1);
        for (int p = 0; p < 4; p++) {
            assertThat(schedule.due(p, now + 1)).isTrue();
        }
    }
}
