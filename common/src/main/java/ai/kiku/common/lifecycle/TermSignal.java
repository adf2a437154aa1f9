package ai.kiku.common.lifecycle;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Makes SIGTERM a normal, graceful stop with exit code 0 in every service. The JVM's own handler
 * runs Quarkus' shutdown (readiness DOWN, drain delay, in-flight requests, consumers) as well, but
 * then exits 143, which Kubernetes reports as an error on every rolling restart. Only in the
 * packaged application: tests and dev mode keep the JVM's handler.
 */
@Singleton
public class TermSignal {

    private static final Logger LOG = Logger.getLogger(TermSignal.class);

    void install(@Observes StartupEvent started) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        try {
            Signal.handle(new Signal("TERM"), signal -> {
                LOG.info("SIGTERM: shutting down gracefully (readiness DOWN, drain, then in-flight work)");
                Quarkus.asyncExit(0);
            });
        } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
            LOG.warnf("SIGTERM handler not installed (%s): the JVM's exits 143", unavailable.toString());
        }
    }
}
