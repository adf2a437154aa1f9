package ai.kiku.e2e;

import ai.kiku.devstack.PgWire;
import ai.kiku.devstack.Postgres;
import ai.kiku.devstack.RedisCluster;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The four services, packaged, running as separate processes over the JVM's real Redis Cluster
 * and a fresh PostgreSQL database, wired the way {@code ./kiku up} wires them (local stand-ins
 * for Telegram, the LLM and Paddle).
 */
final class Platform implements AutoCloseable {

    static final String ADMIN_TOKEN = "e2e-admin-" + UUID.randomUUID();
    /** One service token per caller, wired as {@code ./kiku up} does: each service sends only its own. */
    static final String API_TOKEN = "e2e-api-" + UUID.randomUUID();
    static final String BOT_TOKEN = "e2e-bot-" + UUID.randomUUID();
    static final String WEBHOOK_TOKEN = "e2e-webhook-" + UUID.randomUUID();

    final Postgres pg;
    final String database;
    final ServiceProcess billing;
    final ServiceProcess api;
    final ServiceProcess webhook;
    final ServiceProcess bot;

    Platform() {
        this(Map.of());
    }

    /** The platform with {@code model} served by api-service's built-in local provider (as well as local-echo). */
    static Platform withLocalModel(String model) {
        try {
            Path routes = Files.createTempFile("e2e-routes", ".properties");
            Files.writeString(routes, "kiku.llm.routes.\"" + model + "\"=local\n");
            return new Platform(Map.of("QUARKUS_CONFIG_LOCATIONS", routes.toUri().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A call to billing's admin API with the platform's admin token. */
    RequestSpecification admin() {
        return RestAssured.given().baseUri(billing.url()).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .contentType(ContentType.JSON);
    }

    /** The platform with extra environment variables for api-service. */
    Platform(Map<String, String> apiEnv) {
        RedisCluster redis = RedisCluster.shared();
        // Each platform's database numbers accounts from the same start: an earlier platform's Redis state
        // (balances, usage streams) would otherwise belong to this one's accounts of the same ids.
        redis.flushAll();
        pg = Postgres.shared();
        database = "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        pg.createDatabase(database);

        int billingPort = ServiceProcess.freePort();
        int apiPort = ServiceProcess.freePort();
        int webhookPort = ServiceProcess.freePort();
        int botPort = ServiceProcess.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("KIKU_REDIS_HOSTS", redis.hosts());
        env.put("KIKU_DB_HOST", pg.host());
        env.put("KIKU_DB_PORT", Integer.toString(pg.port()));
        env.put("KIKU_DB_NAME", database);
        env.put("KIKU_DB_USERNAME", pg.username());
        env.put("KIKU_DB_PASSWORD", pg.password());
        env.put("KIKU_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("KIKU_LOCAL_STANDINS", "true");
        env.put("KIKU_BILLING_URL", "http://127.0.0.1:" + billingPort);
        env.put("KIKU_API_URL", "http://127.0.0.1:" + apiPort);
        env.put("KIKU_WEBHOOK_URL", "http://127.0.0.1:" + webhookPort);
        env.put("KIKU_BOT_URL", "http://127.0.0.1:" + botPort);
        // A restarted billing process is a new consumer: let it re-claim a dead one's batch quickly.
        env.put("KIKU_USAGE_CLAIM_MIN_IDLE", "2s");
        env.put("KIKU_USAGE_CLAIM_INTERVAL", "500ms");

        billing = new ServiceProcess("billing-service", billingPort, with(env, "KIKU_INTERNAL_TOKENS_API", API_TOKEN,
                "KIKU_INTERNAL_TOKENS_BOT", BOT_TOKEN, "KIKU_INTERNAL_TOKENS_WEBHOOK", WEBHOOK_TOKEN)).start();
        Map<String, String> api = with(env, "KIKU_INTERNAL_TOKEN", API_TOKEN);
        api.putAll(apiEnv);
        this.api = new ServiceProcess("api-service", apiPort, api).start();
        webhook = new ServiceProcess("webhook-service", webhookPort, with(env, "KIKU_INTERNAL_TOKEN", WEBHOOK_TOKEN,
                "KIKU_INTERNAL_TOKENS_BOT", BOT_TOKEN)).start();
        bot = new ServiceProcess("bot-service", botPort, with(env, "KIKU_INTERNAL_TOKEN", BOT_TOKEN)).start();
    }

    /** The shared environment plus one service's own variables (name, value pairs). */
    private static Map<String, String> with(Map<String, String> shared, String... pairs) {
        Map<String, String> env = new HashMap<>(shared);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** A session of its own on the platform's database (to hold locks the services must wait for). */
    PgWire session() {
        try {
            return PgWire.connect(pg.host(), pg.port(), pg.username(), pg.password(), database);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (ServiceProcess service : new ServiceProcess[] {bot, webhook, api, billing}) {
            if (service != null) {
                service.close();
            }
        }
    }
}
