package ai.kiku.billing.usage;

import java.util.Arrays;

/**
 * When the usage consumer reads each partition next: a partition whose reads keep coming back empty
 * waits twice as long each time, from the idle backoff up to a cap, so an idle platform costs Redis
 * a few reads a second instead of 64 every idle backoff; one read with entries (or a failure)
 * makes it due at once again. Used by the consumer's own thread only.
 */
final class QuietPartitions {

    private final long baseMillis;
    private final long capMillis;
    private final long[] nextRead;
    private final int[] emptyReads;

    QuietPartitions(int partitions, long baseMillis, long capMillis) {
        this.baseMillis = Math.max(1, baseMillis);
        this.capMillis = Math.max(this.baseMillis, capMillis);
        this.nextRead = new long[partitions];
        this.emptyReads = new int[partitions];
    }

    /** Whether partition {@code p} should be read at {@code now}. */
    boolean due(int p, long now) {
        return now >= nextRead[p];
    }

    /** A read of {@code p} at {@code now} found nothing: rest it base × 2^(empty reads in a row − 1), capped. */
    void empty(int p, long now) {
        int doublings = Math.min(emptyReads[p], 30);
        emptyReads[p] = Math.min(emptyReads[p] + 1, 31);
        nextRead[p] = now + Math.min(capMillis, baseMillis << doublings);
    }

    /** A read of {@code p} found entries, or failed: read it again in every round. */
    void active(int p) {
        emptyReads[p] = 0;
        nextRead[p] = 0;
    }

    /** Every partition due at once (consumer start). */
    void reset() {
        Arrays.fill(nextRead, 0);
        Arrays.fill(emptyReads, 0);
    }
}
