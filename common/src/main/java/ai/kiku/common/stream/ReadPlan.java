package ai.kiku.common.stream;

/**
 * Which of a {@link GroupConsumer}'s streams a round reads, and whether the next round should start at once:
 * the place for a service's pacing (billing's quiet partitions), kept out of the consumer-group protocol.
 * Streams are named by their index in the consumer's list. Called from the consumer's thread only.
 */
public interface ReadPlan {

    /** The consumer (re)starts: forget what was learnt. */
    default void reset() {
    }

    /** A round begins. */
    default void beginRound(long nowMillis) {
    }

    /** Whether this round reads new entries of {@code stream} (a stream re-reading its own pending entries always reads). */
    boolean due(int stream, long nowMillis);

    /** A read of {@code stream} returned {@code entries} entries, all handled; {@code pending}: it re-read its own. */
    default void read(int stream, int entries, boolean pending, long nowMillis) {
    }

    /** A read or handling of {@code stream} failed. */
    default void failed(int stream) {
    }

    /** At the end of a round that went well: true when some stream has more waiting (no idle pause then). */
    boolean busy();

    /** Reads every stream every round; busy while a read fills a whole batch. */
    static ReadPlan everyRound(int batch) {
        return new ReadPlan() {
            private boolean busy;

            @Override
            public void beginRound(long nowMillis) {
                busy = false;
            }

            @Override
            public boolean due(int stream, long nowMillis) {
                return true;
            }

            @Override
            public void read(int stream, int entries, boolean pending, long nowMillis) {
                busy |= entries >= batch;
            }

            @Override
            public boolean busy() {
                return busy;
            }
        };
    }
}
