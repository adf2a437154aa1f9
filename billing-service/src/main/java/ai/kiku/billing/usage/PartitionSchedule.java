package ai.kiku.billing.usage;

import ai.kiku.common.stream.ReadPlan;

import java.util.Arrays;

/**
 * Billing's pacing of the 64 partition reads. A round that drained everything rests for the idle backoff,
 * so under steady traffic the consumer writes a few batches a second instead of spinning on tiny ones.
 * The rounds that follow a full batch read only the partitions that had one, so draining a busy partition
 * does not poll the 63 quiet ones each time; every idle backoff the others are read again, except that a
 * partition whose reads keep coming back empty waits longer ({@link QuietPartitions}).
 */
final class PartitionSchedule implements ReadPlan {

    private final int batch;
    private final long idleBackoffMillis;
    private final QuietPartitions quiet;
    /** Partitions whose last read filled a whole batch: the only ones a draining round reads. */
    private final boolean[] full;
    private boolean draining;
    private boolean onlyFull;
    private boolean backlogged;
    private long lastFullRound;

    PartitionSchedule(int partitions, int batch, long idleBackoffMillis, long quietBackoffMillis) {
        this.batch = batch;
        this.idleBackoffMillis = idleBackoffMillis;
        this.quiet = new QuietPartitions(partitions, idleBackoffMillis, quietBackoffMillis);
        this.full = new boolean[partitions];
    }

    @Override
    public void reset() {
        quiet.reset();
        Arrays.fill(full, false);
        draining = false;
    }

    @Override
    public void beginRound(long now) {
        onlyFull = draining && now - lastFullRound < idleBackoffMillis;
        draining = false; // stays false if this round fails: the next one reads every partition
        backlogged = false;
        if (!onlyFull) {
            lastFullRound = now;
        }
    }

    @Override
    public boolean due(int p, long now) {
        return !(onlyFull && !full[p]) && quiet.due(p, now);
    }

    @Override
    public void read(int p, int entries, boolean pending, long now) {
        if (entries == 0) {
            full[p] = false;
            if (!pending) {
                quiet.empty(p, now);
            }
            return;
        }
        quiet.active(p);
        full[p] = entries >= batch || pending;
        backlogged |= full[p];
    }

    @Override
    public void failed(int p) {
        full[p] = false;
        quiet.active(p);
    }

    @Override
    public boolean busy() {
        draining = backlogged;
        return backlogged;
    }
}
