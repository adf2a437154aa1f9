package ai.kiku.webhook.support;

import ai.kiku.testing.KikuInfraResource;
import ai.kiku.devstack.Postgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * The app's test surroundings: a fresh database on the shared harness' real PostgreSQL, migrated with the real
 * migrations as billing-service migrates it in production (this service never migrates); the billing stand-in; and a
 * free HTTP port known before start so the local Paddle simulator can link and deliver to this very app
 * ({@code kiku.webhook.url}). The harness resource is wrapped here, in a class of this module: a resource class coming
 * straight from the test-jar is sometimes loaded by the app class loader on a profile restart and fails the cast to
 * {@link QuarkusTestResourceLifecycleManager} (quarkusio/quarkus#43682).
 */
public class WebhookTestResource implements QuarkusTestResourceLifecycleManager {

    private final KikuInfraResource infra = new KikuInfraResource();

    @Override
    public void init(Map<String, String> initArgs) {
        Map<String, String> args = new HashMap<>(initArgs);
        args.put("redis", "false"); // no Redis client here
        infra.init(args);
    }

    @Override
    public Map<String, String> start() {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(infra.start());
        migrate(infra.database());
        config.put("kiku.billing.url", BillingStub.shared().url());
        config.put("quarkus.http.test-port", Integer.toString(port));
        config.put("kiku.webhook.url", "http://127.0.0.1:" + port);
        return config;
    }

    /** common's db/migration, applied as billing-service applies it (out of order: per-service version ranges). */
    public static void migrate(String database) {
        Postgres pg = Postgres.shared();
        Flyway.configure().dataSource(pg.jdbcUrl(database), pg.username(), pg.password())
                .locations("classpath:db/migration").outOfOrder(true).load().migrate();
    }

    @Override
    public void stop() {
        infra.stop();
        // the billing stub lives as long as the JVM; its state is keyed by per-test account ids
    }
}
