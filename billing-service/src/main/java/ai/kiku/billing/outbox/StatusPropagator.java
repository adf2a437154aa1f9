package ai.kiku.billing.outbox;

import ai.kiku.billing.config.OutboxConfig;
import ai.kiku.billing.repository.AccountRepository;
import ai.kiku.billing.repository.ApiKeyRepository;
import ai.kiku.billing.repository.Transactions;
import ai.kiku.billing.service.NotifyPublisher;
import ai.kiku.billing.service.RedisState;
import ai.kiku.common.events.NotifyEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes an account's pending status changes from the outbox to Redis. Under the account's
 * advisory lock it reads the rows, then the <em>current</em> PostgreSQL state (so the last state
 * always wins, whatever order drains run in), publishes it, and deletes exactly the rows it read.
 * A change committed meanwhile has its own row and is published by the next drain.
 */
@ApplicationScoped
public class StatusPropagator {

    private static final Logger LOG = Logger.getLogger(StatusPropagator.class);

    private final Transactions tx;
    private final StatusOutbox outbox;
    private final AccountRepository accounts;
    private final ApiKeyRepository keys;
    private final RedisState redisState;
    private final NotifyPublisher notify;
    private final OutboxConfig config;
    private final Counter published;
    private final Counter failures;

    public StatusPropagator(Transactions tx, StatusOutbox outbox, AccountRepository accounts, ApiKeyRepository keys,
                            RedisState redisState, NotifyPublisher notify, OutboxConfig config, MeterRegistry registry) {
        this.tx = tx;
        this.outbox = outbox;
        this.accounts = accounts;
        this.keys = keys;
        this.redisState = redisState;
        this.notify = notify;
        this.config = config;
        this.published = Counter.builder("kiku.outbox.published")
                .description("Status outbox rows whose state reached Redis").register(registry);
        this.failures = Counter.builder("kiku.outbox.failures")
                .description("Attempts to publish an account's pending status changes that Redis refused")
                .register(registry);
    }

    /**
     * Publishes everything pending for the account; true when nothing is left pending. A Redis
     * failure is recorded on the rows (attempts, next try with backoff) and answered with false,
     * never with an error: the change is committed and the worker keeps trying.
     */
    public Uni<Boolean> drain(long accountId) {
        AtomicReference<List<OutboxRow>> taken = new AtomicReference<>(List.of());
        return tx.transaction(() -> outbox.lock(accountId)
                        .flatMap(x -> outbox.pending(accountId))
                        .flatMap(rows -> {
                            taken.set(rows);
                            if (rows.isEmpty()) {
                                return Uni.createFrom().item(true);
                            }
                            return publish(accountId, rows)
                                    .flatMap(y -> outbox.delete(accountId, ids(rows)))
                                    .map(y -> rows.size() < StatusOutbox.ROWS_PER_DRAIN);
                        }))
                .invoke(done -> published.increment(taken.get().size()))
                .onFailure().recoverWithUni(failure -> recordFailure(accountId, taken.get(), failure));
    }

    /**
     * Makes Redis show the account's and the given keys' current PostgreSQL state (reconciliation
     * found it different): queued in the outbox, so it is retried like any status change.
     */
    public Uni<Boolean> republish(long accountId, boolean account, List<Long> keyIds) {
        Instant now = Instant.now();
        return tx.transaction(() -> {
                    Uni<Void> chain = account ? outbox.account(accountId, null, now) : Uni.createFrom().voidItem();
                    for (long keyId : keyIds) {
                        chain = chain.flatMap(x -> outbox.key(accountId, keyId, null, now));
                    }
                    return chain;
                })
                .flatMap(x -> drain(accountId));
    }

    private Uni<Boolean> recordFailure(long accountId, List<OutboxRow> rows, Throwable failure) {
        failures.increment();
        if (rows.isEmpty()) {
            LOG.warnf("status outbox of account %d: could not read it: %s", accountId, failure.toString());
            return Uni.createFrom().item(false);
        }
        int attempts = rows.stream().mapToInt(OutboxRow::attempts).max().orElse(0);
        Duration delay = backoff(attempts);
        LOG.warnf("status outbox of account %d: %d change(s) not yet in Redis (attempt %d, next in %d ms): %s",
                accountId, rows.size(), attempts + 1, delay.toMillis(), failure.toString());
        return outbox.failed(accountId, ids(rows), Instant.now().plus(delay), failure.toString())
                .onFailure().invoke(e -> LOG.debugf("could not record the outbox failure: %s", e))
                .onFailure().recoverWithNull()
                .replaceWith(false);
    }

    Duration backoff(int attempts) {
        Duration d = config.backoff().multipliedBy(1L << Math.min(attempts, 20));
        return d.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : d;
    }

    /** Reads the state in the drain's own session: a drain never needs a second connection from the pool. */
    private Uni<Void> publish(long accountId, List<OutboxRow> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (rows.stream().anyMatch(r -> OutboxRow.ACCOUNT.equals(r.kind()))) {
            chain = chain.flatMap(x -> accounts.find(accountId)).flatMap(a -> a.isEmpty()
                    ? Uni.createFrom().voidItem() : timed(redisState.publishAccount(a.get())));
        }
        Set<Long> keyIds = new LinkedHashSet<>();
        rows.stream().filter(r -> OutboxRow.KEY.equals(r.kind())).map(OutboxRow::keyId).filter(Objects::nonNull)
                .forEach(keyIds::add);
        for (long keyId : keyIds) {
            chain = chain.flatMap(x -> keys.find(accountId, keyId)).flatMap(k -> k.isEmpty()
                    ? Uni.createFrom().voidItem() : timed(redisState.publishKey(k.get())));
        }
        // Events after the state they announce; their ids are stable, so a repeat is dropped by the bot.
        for (OutboxRow row : rows) {
            NotifyEvent event = outbox.decode(row.event());
            if (event != null) {
                chain = chain.flatMap(x -> timed(notify.publish(event).replaceWithVoid()));
            }
        }
        return chain;
    }

    private <T> Uni<T> timed(Uni<T> redisCall) {
        return redisCall.ifNoItem().after(config.publishTimeout()).fail();
    }

    private static List<Long> ids(List<OutboxRow> rows) {
        List<Long> ids = new ArrayList<>(rows.size());
        rows.forEach(r -> ids.add(r.outboxId()));
        return ids;
    }
}
