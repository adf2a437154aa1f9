package ai.kiku.billing;

import ai.kiku.billing.usage.UsageConsumer;
import ai.kiku.common.events.NotifyEvent;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.money.ReserveResult;
import ai.kiku.common.money.SettleResult;
import ai.kiku.common.money.Usage;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared helpers for billing tests: every test class runs against the same Quarkus boot, the real
 * Redis Cluster and a real PostgreSQL database (the harness of common, via BillingInfra).
 */
@WithTestResource(value = BillingInfra.class, scope = TestResourceScope.GLOBAL)
public abstract class BillingTestBase {

    protected static final String ADMIN = "test-admin-token";
    /** The token each calling service presents to /internal/v1 (kiku.internal.tokens.* of the test profile). */
    protected static final String API_TOKEN = "test-api-token";
    protected static final String BOT_TOKEN = "test-bot-token";
    protected static final String WEBHOOK_TOKEN = "test-webhook-token";
    /** The token {@link #internal()} presents: webhook-service's, the only one that may book money. */
    protected static final String INTERNAL = WEBHOOK_TOKEN;

    @Inject
    protected Pool pool;
    @Inject
    protected Redis redis;
    @Inject
    protected MoneyCore money;
    @Inject
    protected UsageConsumer consumer;

    protected static RequestSpecification admin() {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON);
    }

    /** An internal call as webhook-service makes it (catalogue, accounts, and booking on the ledger). */
    protected static RequestSpecification internal() {
        return given().auth().oauth2(INTERNAL).contentType(ContentType.JSON);
    }

    /** An internal call as bot-service makes it (its users' accounts and keys; no ledger writes). */
    protected static RequestSpecification asBot() {
        return given().auth().oauth2(BOT_TOKEN).contentType(ContentType.JSON);
    }

    /** An internal call as api-service makes it (catalogue, usage, reading keys). */
    protected static RequestSpecification asApi() {
        return given().auth().oauth2(API_TOKEN).contentType(ContentType.JSON);
    }

    /** A Telegram user id no other test uses. */
    protected static long newTelegramUser() {
        return ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_000_000_000_000L);
    }

    protected long createAccount() {
        return admin().body(Map.of("telegramUserId", newTelegramUser(), "displayName", "Test"))
                .post("/admin/v1/accounts").then().statusCode(200).extract().jsonPath().getLong("accountId");
    }

    protected long createKey(long accountId, int rpm) {
        return admin().body(Map.of("name", "k", "rateLimitPerMinute", rpm))
                .post("/admin/v1/accounts/" + accountId + "/keys").then().statusCode(201)
                .extract().jsonPath().getLong("keyId");
    }

    protected void credit(long accountId, long micros) {
        admin().body(Map.of("amountMicros", micros, "reason", "test", "idempotencyKey", UUID.randomUUID().toString()))
                .post("/admin/v1/accounts/" + accountId + "/adjustments").then().statusCode(200);
    }

    /** One metered request through the money core, as the api-service does it. */
    protected String charge(long accountId, long keyId, long reserveMicros, long costMicros) {
        String holdId = "req_" + UUID.randomUUID();
        ReserveResult r = money.reserve(accountId, keyId, holdId, reserveMicros).await().indefinitely();
        assertThat(r.reserved()).as("reserve %s", r).isTrue();
        SettleResult s = money.settle(accountId, holdId, costMicros, new Usage(keyId, "llm-proxy", "local-echo", 10, 4))
                .await().indefinitely();
        assertThat(s.duplicate()).isFalse();
        return holdId;
    }

    protected long sqlLong(String sql, Object... args) {
        Row row = pool.preparedQuery(sql).execute(Tuple.from(args)).await().indefinitely().iterator().next();
        Long v = row.getLong(0);
        return v == null ? 0 : v;
    }

    protected Response redis(Object... args) {
        Request request = Request.cmd(Command.create(args[0].toString()));
        for (int i = 1; i < args.length; i++) {
            request.arg(args[i].toString());
        }
        return redis.send(request).await().indefinitely();
    }

    protected long redisBalance(long accountId) {
        Response r = redis("HGET", KeySchema.account(accountId), "balance");
        return r == null ? Long.MIN_VALUE : r.toLong();
    }

    /** Events on kiku:notify about one account. */
    protected List<NotifyEvent> notifications(long accountId) {
        List<NotifyEvent> out = new ArrayList<>();
        Response all = redis("XRANGE", KeySchema.NOTIFY_STREAM, "-", "+");
        for (Response entry : all) {
            Response f = entry.get(1);
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i + 1 < f.size(); i += 2) {
                fields.put(f.get(i).toString(), f.get(i + 1).toString());
            }
            if (Long.toString(accountId).equals(fields.get("acct"))) {
                out.add(NotifyEvent.fromFields(fields));
            }
        }
        return out;
    }

    protected static void eventually(String what, Duration timeout, BooleanSupplier condition) {
        eventually(what, timeout, condition, false);
    }

    /** Polls until {@code condition}; past the timeout fails, or with {@code timeoutIsFine} just returns. */
    protected static void eventually(String what, Duration timeout, BooleanSupplier condition, boolean timeoutIsFine) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                if (timeoutIsFine) {
                    return;
                }
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits until the consumer has moved everything of this account's partition into PostgreSQL. */
    protected void awaitDrained(long accountId) {
        String stream = KeySchema.usageLog(accountId);
        eventually("partition stream " + stream + " drained", Duration.ofSeconds(60),
                () -> redis("XLEN", stream).toLong() == 0);
    }
}
