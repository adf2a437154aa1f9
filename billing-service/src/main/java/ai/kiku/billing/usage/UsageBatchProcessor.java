package ai.kiku.billing.usage;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.UsageRepository;
import ai.kiku.billing.service.NotifyPublisher;
import ai.kiku.billing.stream.StreamClient;
import ai.kiku.billing.stream.StreamEntry;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import ai.kiku.common.money.UsageLogEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Handles one batch read from a partition stream: usage into PostgreSQL (one transaction),
 * low-balance crossings onto {@code kiku:notify}, then acknowledges. Throws, acknowledging nothing,
 * when a store is unavailable. An entry PostgreSQL can never accept (malformed, unknown account) is
 * moved to {@code <stream>:dead} rather than blocking its partition forever.
 */
@ApplicationScoped
public class UsageBatchProcessor {

    private static final Logger LOG = Logger.getLogger(UsageBatchProcessor.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long DEAD_MAX_LEN = 100_000;

    private final UsageRepository usage;
    private final AccountRepository accounts;
    private final NotifyPublisher notify;
    private final StreamClient streams;
    private final Counter recorded;
    private final Counter dead;

    public UsageBatchProcessor(UsageRepository usage, AccountRepository accounts, NotifyPublisher notify,
                               StreamClient streams, MeterRegistry registry) {
        this.usage = usage;
        this.accounts = accounts;
        this.notify = notify;
        this.streams = streams;
        this.recorded = Counter.builder("kiku.usage.records").description("Usage records newly written to PostgreSQL")
                .register(registry);
        this.dead = Counter.builder("kiku.usage.dead").description("Usage stream entries moved to the dead stream")
                .register(registry);
    }

    public void process(String stream, List<StreamEntry> entries) {
        List<String> done = new ArrayList<>(entries.size());
        List<UsageLogEntry> charges = new ArrayList<>();
        List<UsageLogEntry> lowBalance = new ArrayList<>();
        Map<StreamEntry, String> poison = new HashMap<>();
        Map<String, StreamEntry> byId = new HashMap<>();
        for (StreamEntry e : entries) {
            byId.put(e.id(), e);
            if (e.deleted()) {
                done.add(e.id());
                continue;
            }
            try {
                UsageLogEntry u = UsageLogEntry.of(e.id(), e.fields());
                if (u.isUsage() && valid(u)) {
                    charges.add(u);
                } else if (u.isLowBalance() && u.accountId() > 0) {
                    lowBalance.add(u);
                } else {
                    poison.put(e, "malformed or unknown entry type");
                }
            } catch (RuntimeException ex) {
                poison.put(e, "unparseable: " + ex.getMessage());
            }
        }
        write(charges, byId, poison);
        for (UsageLogEntry low : lowBalance) {
            announce(low);
        }
        for (Map.Entry<StreamEntry, String> p : poison.entrySet()) {
            Map<String, String> fields = new HashMap<>(p.getKey().fields() == null ? Map.of() : p.getKey().fields());
            fields.put("dead_reason", p.getValue());
            fields.put("dead_source_id", p.getKey().id());
            streams.add(stream + ":dead", fields, DEAD_MAX_LEN).await().atMost(CALL_TIMEOUT);
            LOG.errorf("usage entry %s of %s moved to %s:dead: %s", p.getKey().id(), stream, stream, p.getValue());
            dead.increment();
        }
        entries.forEach(e -> {
            if (!e.deleted()) {
                done.add(e.id());
            }
        });
        streams.ackAndDelete(stream, UsageConsumer.GROUP, done).await().atMost(CALL_TIMEOUT);
    }

    private void write(List<UsageLogEntry> charges, Map<String, StreamEntry> byId, Map<StreamEntry, String> poison) {
        try {
            recorded.increment(usage.writeBatch(charges).await().atMost(CALL_TIMEOUT));
        } catch (PgException e) {
            if (!isDataError(e)) {
                throw e;
            }
            // One bad record must not hold back its batch: write one by one, set aside what PostgreSQL refuses.
            for (UsageLogEntry u : charges) {
                try {
                    recorded.increment(usage.writeBatch(List.of(u)).await().atMost(CALL_TIMEOUT));
                } catch (PgException single) {
                    if (!isDataError(single)) {
                        throw single;
                    }
                    poison.put(byId.get(u.streamId()), "rejected by PostgreSQL: " + single.getMessage());
                }
            }
        }
    }

    private void announce(UsageLogEntry low) {
        Optional<Account> account = accounts.find(low.accountId()).await().atMost(CALL_TIMEOUT);
        long tg = account.map(a -> a.telegramUserId() == null ? 0L : a.telegramUserId()).orElse(0L);
        notify.publish(new NotifyEvent("low:" + low.streamId(), NotifyEventType.LOW_BALANCE, low.accountId(), tg,
                low.thresholdMicros(), low.balanceMicros(), "threshold", low.occurredAtMillis()))
                .await().atMost(CALL_TIMEOUT);
    }

    private static boolean valid(UsageLogEntry u) {
        return u.accountId() > 0 && u.requestId() != null && !u.requestId().isEmpty() && u.product() != null
                && u.model() != null && u.costMicros() >= 0;
    }

    /** Integrity (23) and data (22) errors: this record will never be accepted, unlike a lost connection. */
    private static boolean isDataError(PgException e) {
        String state = e.getSqlState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
