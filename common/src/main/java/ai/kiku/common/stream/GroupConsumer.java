package ai.kiku.common.stream;

import io.smallrye.mutiny.Uni;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one Redis Streams consumer-group loop: creates the group, re-reads this consumer's own pending
 * entries after a start or a failure, reads new ones (XREADGROUP, with BLOCK when set), takes over
 * entries another consumer left pending too long (XAUTOCLAIM), and acknowledges an entry only after
 * its handler finished it: delivery is at least once, so handlers are idempotent. Store errors back
 * off; a stop lets the running handler finish and acknowledges what it finished. Streams may live on
 * different Redis Cluster nodes: every command names one stream, and reads of several go out together.
 */
public class GroupConsumer extends BackgroundLoop {

    /** Handles a batch read from one stream. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles {@code entries} (one whose fields are null was deleted while pending) and returns the ids
         * of those finished, which are then acknowledged; the others stay pending for a later claim. Should
         * return early once {@code stopping} says so. Throwing acknowledges nothing of the batch.
         */
        List<String> handle(String stream, List<StreamEntry> entries, BooleanSupplier stopping) throws Exception;
    }

    private static final int CLAIM_PAGES_PER_ROUND = 10;
    private static final long FORGET_INTERVAL_MS = Duration.ofMinutes(10).toMillis();
    private static final String DONE = "0-0";

    private final StreamClient client;
    private final List<String> streams;
    private final ConsumerSettings settings;
    private final ReadPlan plan;
    private final Handler handler;
    private final boolean[] groupReady;
    /** Per stream: where the re-read of this consumer's own pending entries continues, null when reading new ones. */
    private final String[] pendingFrom;
    private final String[] claimCursor;
    private final long[] lastClaim;
    private final long[] lastForget;

    public GroupConsumer(String name, StreamClient client, List<String> streams, ConsumerSettings settings,
                         ReadPlan plan, Handler handler) {
        super(name);
        this.client = client;
        this.streams = List.copyOf(streams);
        this.settings = settings;
        this.plan = plan;
        this.handler = handler;
        int n = this.streams.size();
        this.groupReady = new boolean[n];
        this.pendingFrom = new String[n];
        this.claimCursor = new String[n];
        this.lastClaim = new long[n];
        this.lastForget = new long[n];
    }

    public String consumerName() {
        return settings.consumer();
    }

    public ConsumerSettings settings() {
        return settings;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        // A consumer name may be stable across restarts: what it was given before is its to finish first.
        Arrays.fill(pendingFrom, "0");
        Arrays.fill(claimCursor, DONE);
        Arrays.fill(lastClaim, 0);
        plan.reset();
        super.start();
    }

    @Override
    protected Duration idleBackoff() {
        return settings.idleBackoff();
    }

    @Override
    protected Duration maxErrorBackoff() {
        return settings.maxErrorBackoff();
    }

    /** Called after every round, {@code failed} when it threw; for a service's own bookkeeping (gauges). */
    protected void afterRound(boolean failed) {
    }

    @Override
    protected final boolean round() {
        boolean failed = true;
        try {
            boolean busy = readAll();
            failed = false;
            return busy;
        } finally {
            afterRound(failed);
        }
    }

    private boolean readAll() {
        long now = System.currentTimeMillis();
        plan.beginRound(now);
        RuntimeException failure = null;
        List<Uni<Read>> reads = new ArrayList<>(streams.size());
        for (int i = 0; i < streams.size() && !stopping(); i++) {
            if (pendingFrom[i] == null && !plan.due(i, now)) {
                continue;
            }
            try {
                prepare(i);
                reads.add(read(i));
            } catch (RuntimeException e) {
                failure = failed(i, e, failure);
            }
        }
        List<Read> done;
        try {
            done = reads.isEmpty() ? List.of() : Uni.join().all(reads).andFailFast().await()
                    .atMost(settings.callTimeout().plus(settings.block()));
        } catch (RuntimeException e) {
            // e.g. a timeout: a read may have been delivered but not handled, so re-read own pending ones first
            Arrays.fill(pendingFrom, "0");
            throw e;
        }
        for (Read r : done) {
            if (r.failure() != null) {
                failure = failed(r.stream(), r.failure(), failure);
                continue;
            }
            try {
                if (r.entries().isEmpty()) {
                    if (r.pending()) {
                        pendingFrom[r.stream()] = null;
                    }
                } else {
                    handle(r.stream(), r.entries());
                    if (r.pending()) {
                        pendingFrom[r.stream()] = r.entries().get(r.entries().size() - 1).id();
                    }
                }
                plan.read(r.stream(), r.entries().size(), r.pending(), now);
            } catch (RuntimeException e) {
                failure = failed(r.stream(), e, failure);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return plan.busy();
    }

    /** A stream's read: its entries, or why it failed; {@code pending} when it re-read own pending entries. */
    private record Read(int stream, boolean pending, List<StreamEntry> entries, RuntimeException failure) {
    }

    private Uni<Read> read(int i) {
        String from = pendingFrom[i];
        boolean pending = from != null;
        return client.read(streams.get(i), settings.group(), settings.consumer(), settings.batch(),
                        pending ? from : ">", settings.block())
                .onItemOrFailure().transform((entries, e) -> new Read(i, pending, entries, e == null ? null : unchecked(e)));
    }

    /** The rare per-stream chores, done before the read: create the group, claim abandoned entries, forget gone consumers. */
    private void prepare(int i) {
        String stream = streams.get(i);
        if (!groupReady[i]) {
            // From the start of the stream: entries added before any consumer ran are still owed.
            client.ensureGroup(stream, settings.group()).await().atMost(settings.callTimeout());
            groupReady[i] = true;
        }
        long now = System.currentTimeMillis();
        if (now - lastClaim[i] >= settings.claimInterval().toMillis()) {
            claimAbandoned(i);
            if (DONE.equals(claimCursor[i])) {
                lastClaim[i] = now;
            }
        }
        if (settings.forgetIdleConsumersAfter().isPresent() && now - lastForget[i] >= FORGET_INTERVAL_MS) {
            client.dropIdleConsumers(stream, settings.group(), settings.consumer(),
                    settings.forgetIdleConsumersAfter().get().toMillis()).await().atMost(settings.callTimeout());
            lastForget[i] = now;
        }
    }

    /** Takes over entries pending longer than claimMinIdle (a crashed or stuck consumer's, or our own left for later). */
    private void claimAbandoned(int i) {
        String stream = streams.get(i);
        for (int page = 0; page < CLAIM_PAGES_PER_ROUND && !stopping(); page++) {
            StreamClient.Claimed claimed = client.claim(stream, settings.group(), settings.consumer(),
                    settings.claimMinIdle().toMillis(), claimCursor[i], settings.batch())
                    .await().atMost(settings.callTimeout());
            if (!claimed.entries().isEmpty()) {
                handle(i, claimed.entries());
            }
            claimCursor[i] = claimed.cursor();
            if (DONE.equals(claimCursor[i])) {
                return;
            }
        }
    }

    /** Runs the handler, then acknowledges what it finished, also while stopping (that is the drain). */
    private void handle(int i, List<StreamEntry> entries) {
        beat();
        List<String> finished;
        try {
            finished = handler.handle(streams.get(i), entries, this::stopping);
        } catch (Exception e) {
            throw unchecked(e);
        }
        beat();
        client.ack(streams.get(i), settings.group(), finished).await().atMost(settings.callTimeout());
    }

    private RuntimeException failed(int i, Throwable e, RuntimeException first) {
        pendingFrom[i] = "0";
        claimCursor[i] = DONE;
        plan.failed(i);
        if (StreamClient.isNoGroup(e) || StreamClient.isNoGroup(e.getCause())) {
            groupReady[i] = false; // the stream was deleted (and maybe recreated) under us
        }
        RuntimeException error = unchecked(e);
        return first == null ? error : first;
    }

    private static RuntimeException unchecked(Throwable e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
}
