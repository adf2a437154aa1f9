package ai.kiku.common.lifecycle;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Makes SIGTERM a normal, graceful stop with exit code 0 in every service: the drain ({@link DrainGate}),
 * then Quarkus' shutdown (in-flight requests, consumers, stores). The JVM's own handler would skip the
 * drain and exit 143, which Kubernetes reports as an error on every rolling restart. Only in the
 * packaged application: tests and dev mode keep the JVM's handler.
 */
@Singleton
public class TermSignal {

    private static final Logger LOG = Logger.getLogger(TermSignal.class);

    private final DrainGate drain;

    public TermSignal(DrainGate drain) {
        this.drain = drain;
    }

    void install(@Observes StartupEvent started) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        try {
            // the JVM's signal thread has the system class loader: beans created from it (the observers of
            // ShutdownStarted) would not find Quarkus' config converters ("200ms" would not parse as a Duration)
            ClassLoader application = Thread.currentThread().getContextClassLoader();
            Signal.handle(new Signal("TERM"), signal -> {
                Thread.currentThread().setContextClassLoader(application);
                LOG.info("SIGTERM: shutting down gracefully (readiness DOWN, drain, then in-flight work)");
                drain.begin(() -> Quarkus.asyncExit(0));
            });
        } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
            LOG.warnf("SIGTERM handler not installed (%s): the JVM's exits 143", unavailable.toString());
        }
    }
}
