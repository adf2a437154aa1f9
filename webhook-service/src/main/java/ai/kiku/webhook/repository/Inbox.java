package ai.kiku.webhook.repository;

import ai.kiku.webhook.service.PaddleEnvelope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.JDBCException;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The inbox for this service's blocking code (HTTP workers, the poller, the nudge threads): each call is one reactive
 * transaction of its own, run on a Vert.x context and awaited, so a row is committed before a delivery is
 * acknowledged and a claim is committed before its handler runs. The one transaction model of the service.
 */
@ApplicationScoped
public class Inbox {

    /** Well within Paddle's 5 s for an acknowledgement; every statement here touches a few rows by key or index. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(3);

    private final InboxRepository repository;

    public Inbox(InboxRepository repository) {
        this.repository = repository;
    }

    /** Stores a verified delivery once; false when its {@code event_id} is already there. */
    public boolean insert(PaddleEnvelope event, String payload, String status) throws InboxException {
        return inTransaction(() -> repository.insert(event, payload, status));
    }

    /** Claims up to {@code limit} due rows for {@code lease}, counting the attempt. */
    public List<InboxRow> claimDue(int limit, Duration lease) throws InboxException {
        return inTransaction(() -> repository.claimDue(limit, lease));
    }

    /** Claims one row when it is due and not claimed elsewhere (the nudge after an insert). */
    public Optional<InboxRow> claim(String eventId, Duration lease) throws InboxException {
        return inTransaction(() -> repository.claim(eventId, lease));
    }

    /** Records the final state of a claimed row (processed, held or ignored). */
    public void finish(String eventId, String status, Long accountId, String outcome, String note)
            throws InboxException {
        inTransaction(() -> repository.finish(eventId, status, accountId, outcome, note));
    }

    /** See {@link InboxRepository#fail}. */
    public Optional<String> fail(String eventId, int maxAttempts, Duration delay, String error) throws InboxException {
        return inTransaction(() -> repository.fail(eventId, maxAttempts, delay, error));
    }

    /** See {@link InboxRepository#await}. */
    public Optional<String> await(InboxRow row, Duration limit, Duration minDelay, Duration maxDelay, String note)
            throws InboxException {
        return inTransaction(() -> repository.await(row, limit, minDelay, maxDelay, note));
    }

    /** Makes the adjustments waiting for one transaction due now. */
    public int wakeAdjustments(String transactionId) throws InboxException {
        return inTransaction(() -> repository.wakeAdjustments(transactionId));
    }

    /** Puts any row back in the queue with fresh attempts (operator replay). */
    public Optional<InboxRow> replay(String eventId) throws InboxException {
        return inTransaction(() -> repository.replay(eventId));
    }

    public Optional<InboxRow> find(String eventId) throws InboxException {
        return inTransaction(() -> repository.byId(eventId));
    }

    /** Rows in one status, oldest first. */
    public List<InboxRow> list(String status, int limit) throws InboxException {
        return inTransaction(() -> repository.inStatus(status, limit));
    }

    /** Events of one type about one Paddle entity, the processed one first. */
    public List<InboxRow> findByEntity(String eventType, String entityId) throws InboxException {
        return inTransaction(() -> repository.findByEntity(eventType, entityId));
    }

    private static <T> T inTransaction(Supplier<Uni<T>> work) throws InboxException {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(work)
                    .ifNoItem().after(STATEMENT_TIMEOUT).failWith(() -> new InboxException(
                            "no answer from the inbox database within " + STATEMENT_TIMEOUT, null, null)));
        } catch (InboxException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new InboxException(e.getClass().getSimpleName() + ": " + e.getMessage(), sqlState(e), e);
        }
    }

    /** The SQLSTATE anywhere in the chain: the client's own error, or Hibernate's translation of it. */
    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = t instanceof PgException pg ? pg.getSqlState()
                    : t instanceof JDBCException jdbc ? jdbc.getSQLState()
                    : t instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null) {
                return state;
            }
        }
        return null;
    }
}
