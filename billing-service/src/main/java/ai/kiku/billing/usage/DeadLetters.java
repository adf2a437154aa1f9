package ai.kiku.billing.usage;

import ai.kiku.billing.model.DeadLetterPage;
import ai.kiku.billing.repository.LedgerRepository;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.stream.StreamEntry;
import ai.kiku.common.money.UsageLogEntry;
import ai.kiku.common.redis.KeySchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parks usage entries PostgreSQL will never accept in their partition's {@code kiku:{pNN}:usage:dead}
 * stream instead of retrying them forever, with an alert (log at ERROR, {@code kiku.usage.dead}). When
 * the entry's account and cost can be read, its usage debit is still booked in the ledger, on its own
 * and under the request id, so that a rebuild that sets Redis from the ledger never refunds a charge
 * the customer's balance already paid. Lists parked entries for operators.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_LEN = 100_000;

    private final StreamClient streams;
    private final LedgerRepository ledger;
    private final Counter parked;
    private final Counter unbooked;
    private final AtomicLong waiting = new AtomicLong();

    public DeadLetters(StreamClient streams, LedgerRepository ledger, MeterRegistry registry) {
        this.streams = streams;
        this.ledger = ledger;
        this.parked = Counter.builder("kiku.usage.dead").description("Usage stream entries moved to a dead stream")
                .register(registry);
        this.unbooked = Counter.builder("kiku.usage.dead.unbooked")
                .description("Dead-lettered usage entries whose charge could not be booked in the ledger")
                .register(registry);
        Gauge.builder("kiku.usage.dead.entries", waiting, AtomicLong::get)
                .description("Entries waiting in the usage dead streams (sum over partitions)").register(registry);
    }

    public static String deadStream(String stream) {
        return stream + ":dead";
    }

    /** Parks one entry; throws (parking nothing) only when a store is unavailable, so the batch is retried. */
    public void park(String stream, StreamEntry entry, UsageLogEntry parsed, String reason) {
        String booked = bookCharge(parsed, reason);
        Map<String, String> fields = new HashMap<>(entry.fields() == null ? Map.of() : entry.fields());
        fields.put("dead_reason", reason);
        fields.put("dead_source_id", entry.id());
        fields.put("dead_ledger", booked);
        fields.put("dead_at", Long.toString(System.currentTimeMillis()));
        streams.add(deadStream(stream), fields, MAX_LEN).await().atMost(CALL_TIMEOUT);
        parked.increment();
        boolean kept = booked.equals("booked") || booked.equals("already");
        if (!kept) {
            unbooked.increment();
        }
        LOG.errorf("usage entry %s of %s moved to %s (ledger debit: %s): %s", entry.id(), stream, deadStream(stream),
                booked, reason);
    }

    private String bookCharge(UsageLogEntry u, String reason) {
        if (u == null || !u.isUsage() || u.accountId() <= 0 || u.requestId() == null || u.requestId().isEmpty()
                || u.costMicros() < 0) {
            return "none";
        }
        String description = ("dead-lettered usage " + u.product() + " " + u.model() + ": " + reason);
        try {
            boolean fresh = ledger.bookUsage(u.accountId(), u.requestId(), u.costMicros(),
                    description.length() > 300 ? description.substring(0, 300) : description,
                    Instant.ofEpochMilli(u.occurredAtMillis()).atOffset(ZoneOffset.UTC)).await().atMost(CALL_TIMEOUT);
            return fresh ? "booked" : "already";
        } catch (RuntimeException e) {
            String state = SqlErrors.refusal(e);
            if (state == null) {
                throw e;
            }
            LOG.errorf("ledger refused the debit of dead-lettered usage %s of account %d (%s): %s", u.requestId(),
                    u.accountId(), state, e.getMessage());
            return "refused: " + state;
        }
    }

    /** Entries of every partition's dead stream, newest first, at most {@code limit}; total counts them all. */
    public Uni<DeadLetterPage> newest(int limit) {
        List<Uni<List<DeadLetterPage.Entry>>> reads = new ArrayList<>();
        List<Uni<Long>> lengths = new ArrayList<>();
        for (int p = 0; p < KeySchema.PARTITIONS; p++) {
            String dead = deadStream(KeySchema.usageLogOfPartition(p));
            reads.add(streams.newest(dead, limit).map(es -> es.stream().map(e -> view(dead, e)).toList()));
            lengths.add(streams.length(dead));
        }
        return Uni.join().all(lengths).andFailFast().flatMap(ls -> {
            long total = ls.stream().mapToLong(Long::longValue).sum();
            waiting.set(total);
            return Uni.join().all(reads).andFailFast().map(all -> new DeadLetterPage(total, all.stream()
                    .flatMap(List::stream).sorted(NEWEST_FIRST).limit(limit).toList()));
        });
    }

    /** Refreshes the gauge; called with the consumer's backlog refresh. */
    public Uni<Void> refresh() {
        List<Uni<Long>> lengths = new ArrayList<>();
        for (int p = 0; p < KeySchema.PARTITIONS; p++) {
            lengths.add(streams.length(deadStream(KeySchema.usageLogOfPartition(p))));
        }
        return Uni.join().all(lengths).andFailFast()
                .invoke(ls -> waiting.set(ls.stream().mapToLong(Long::longValue).sum())).replaceWithVoid();
    }

    private static final Comparator<DeadLetterPage.Entry> NEWEST_FIRST = Comparator
            .comparingLong((DeadLetterPage.Entry e) -> part(e.id(), 0))
            .thenComparingLong(e -> part(e.id(), 1)).reversed();

    private static long part(String id, int i) {
        String[] p = id.split("-");
        return i < p.length ? Long.parseLong(p[i]) : 0;
    }

    private static DeadLetterPage.Entry view(String stream, StreamEntry e) {
        Map<String, String> f = e.fields() == null ? Map.of() : e.fields();
        return new DeadLetterPage.Entry(stream, e.id(), f.get("dead_source_id"), f.get("dead_reason"),
                f.get("dead_ledger"), number(f.get("acct")), f.get("req"), number(f.get("cost")),
                number(f.get("dead_at")), f);
    }

    private static Long number(String v) {
        try {
            return v == null ? null : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
