package ai.kiku.billing.usage;

import ai.kiku.billing.model.Account;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.UsageRepository;
import ai.kiku.billing.service.NotifyPublisher;
import ai.kiku.common.stream.StreamClient;
import ai.kiku.common.stream.StreamEntry;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.events.NotifyEventType;
import ai.kiku.common.money.UsageLogEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Handles one batch read from a partition stream: usage into PostgreSQL (one transaction),
 * low-balance crossings onto {@code kiku:notify}, then acknowledges and deletes the entries in one
 * atomic step. Throws, acknowledging nothing, when a store is unavailable or fails transiently. An
 * entry PostgreSQL refuses for good (malformed, unknown account, a statement the database cannot
 * plan: see {@link SqlErrors}) is parked by {@link DeadLetters} rather than retried forever.
 */
@ApplicationScoped
public class UsageBatchProcessor {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final UsageRepository usage;
    private final AccountRepository accounts;
    private final NotifyPublisher notify;
    private final StreamClient streams;
    private final DeadLetters dead;
    private final Counter recorded;

    /** An entry set aside: what could be parsed of it (null if nothing) and why. */
    private record Refused(UsageLogEntry parsed, String reason) {
    }

    public UsageBatchProcessor(UsageRepository usage, AccountRepository accounts, NotifyPublisher notify,
                               StreamClient streams, DeadLetters dead, MeterRegistry registry) {
        this.usage = usage;
        this.accounts = accounts;
        this.notify = notify;
        this.streams = streams;
        this.dead = dead;
        this.recorded = Counter.builder("kiku.usage.records").description("Usage records newly written to PostgreSQL")
                .register(registry);
    }

    public void process(String stream, List<StreamEntry> entries) {
        List<String> done = new ArrayList<>(entries.size());
        List<UsageLogEntry> charges = new ArrayList<>();
        List<UsageLogEntry> lowBalance = new ArrayList<>();
        Map<StreamEntry, Refused> poison = new LinkedHashMap<>();
        Map<String, StreamEntry> byId = new HashMap<>();
        for (StreamEntry e : entries) {
            byId.put(e.id(), e);
            if (e.deleted()) {
                done.add(e.id());
                continue;
            }
            UsageLogEntry u = null;
            try {
                u = UsageLogEntry.of(e.id(), e.fields());
                if (u.isUsage() && valid(u)) {
                    charges.add(u);
                } else if (u.isLowBalance() && u.accountId() > 0) {
                    lowBalance.add(u);
                } else {
                    poison.put(e, new Refused(u, "malformed or unknown entry type"));
                }
            } catch (RuntimeException ex) {
                poison.put(e, new Refused(u, "unparseable: " + ex.getMessage()));
            }
        }
        write(charges, byId, poison);
        for (UsageLogEntry low : lowBalance) {
            announce(low);
        }
        for (Map.Entry<StreamEntry, Refused> p : poison.entrySet()) {
            dead.park(stream, p.getKey(), p.getValue().parsed(), p.getValue().reason());
        }
        entries.forEach(e -> {
            if (!e.deleted()) {
                done.add(e.id());
            }
        });
        streams.ackAndDelete(stream, UsageConsumer.GROUP, done).await().atMost(CALL_TIMEOUT);
    }

    private void write(List<UsageLogEntry> charges, Map<String, StreamEntry> byId, Map<StreamEntry, Refused> poison) {
        try {
            recorded.increment(usage.writeBatch(charges).await().atMost(CALL_TIMEOUT));
        } catch (RuntimeException e) {
            if (SqlErrors.refusal(e) == null) {
                throw e;
            }
            // One bad record must not hold back its batch: write one by one, set aside what PostgreSQL refuses.
            for (UsageLogEntry u : charges) {
                try {
                    recorded.increment(usage.writeBatch(List.of(u)).await().atMost(CALL_TIMEOUT));
                } catch (RuntimeException single) {
                    String state = SqlErrors.refusal(single);
                    if (state == null) {
                        throw single;
                    }
                    poison.put(byId.get(u.streamId()), new Refused(u, "refused by PostgreSQL (" + state + "): "
                            + single.getMessage()));
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
                && u.model() != null && u.costMicros() >= 0 && u.overageMicros() >= 0;
    }
}
