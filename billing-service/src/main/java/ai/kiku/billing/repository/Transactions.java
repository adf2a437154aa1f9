package ai.kiku.billing.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.reactive.mutiny.Mutiny;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * billing's one transaction model: every statement runs in a Hibernate Reactive session that Panache
 * keeps on the current Vert.x context, and work composed inside {@link #transaction} joins its
 * transaction. Callers off the event loop (the usage consumer, outbox and job workers, blocking REST
 * methods) get a fresh, safe duplicated context per unit of work, as an HTTP request does.
 */
@ApplicationScoped
public class Transactions {

    private final Vertx vertx;
    private final Mutiny.SessionFactory sessions;

    public Transactions(Vertx vertx, Mutiny.SessionFactory sessions) {
        this.vertx = vertx;
        this.sessions = sessions;
    }

    /** Runs {@code work} in one transaction (joining the caller's, if there is one). */
    public <T> Uni<T> transaction(Supplier<Uni<T>> work) {
        return onContext(() -> Panache.withTransaction(work));
    }

    /** Runs {@code work} in a session, without opening a transaction of its own (joins one if open). */
    public <T> Uni<T> session(Supplier<Uni<T>> work) {
        return onContext(() -> Panache.withSession(work));
    }

    /**
     * Runs {@code work} in a transaction of a stateless session of its own: for set-based native statements
     * only (the usage batches), which need no persistence context to keep or flush.
     */
    public <T> Uni<T> statelessTransaction(Function<Mutiny.StatelessSession, Uni<T>> work) {
        return onContext(() -> sessions.withStatelessTransaction(work));
    }

    /**
     * Runs {@code work} in a transaction of its own, in a session of its own, even inside another one:
     * for a statement that may fail as expected (a lost race), which would leave a shared session unusable.
     */
    public <T> Uni<T> isolatedTransaction(Supplier<Uni<T>> work) {
        return onNewContext(() -> Panache.withTransaction(work));
    }

    private <T> Uni<T> onContext(Supplier<Uni<T>> work) {
        Context current = Vertx.currentContext();
        // inline only on an event loop: a blocking caller (a worker thread awaiting the result) hops to one
        if (current != null && VertxContext.isDuplicatedContext(current) && Context.isOnEventLoopThread()) {
            return Uni.createFrom().deferred(work::get);
        }
        return onNewContext(work);
    }

    private <T> Uni<T> onNewContext(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> {
            Context current = Vertx.currentContext();
            Context context = VertxContext.createNewDuplicatedContext(
                    current != null ? current : vertx.getOrCreateContext());
            VertxContextSafetyToggle.setContextSafe(context, true);
            context.runOnContext(x -> work.get().subscribe().with(emitter::complete, emitter::fail));
        });
    }
}
