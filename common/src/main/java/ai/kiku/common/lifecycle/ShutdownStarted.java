package ai.kiku.common.lifecycle;

/**
 * Fired once when SIGTERM starts the shutdown (before the drain delay): what must count from the signal
 * (the deadline of the whole shutdown, cutting calls before it) observes this.
 */
public record ShutdownStarted(long atNanos) {
}
