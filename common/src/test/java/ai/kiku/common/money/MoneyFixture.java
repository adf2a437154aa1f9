package ai.kiku.common.money;

import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import ai.kiku.common.redis.RedisSettings;
import ai.kiku.devstack.RedisCluster;
import ai.kiku.devstack.RedisServers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A MoneyCore over a real Redis connection (cluster by default; standalone or Sentinel as a service in that
 * {@code kiku.redis.mode} would connect), with a caller clock the test can move (money
 * scripts must ignore it: they read Redis' own TIME), plus the account/key publishing that
 * billing-service does in production.
 */
final class MoneyFixture implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    final Redis redis;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicLong nowMillis = new AtomicLong(System.currentTimeMillis());
    final MoneyCore core;
    private static final AtomicLong NEXT_ACCOUNT = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    MoneyFixture() {
        this(RedisCluster.shared());
    }

    MoneyFixture(RedisServers servers) {
        this(servers, Duration.ofMinutes(15));
    }

    /** A fixture whose holds expire after {@code holdTtl} of Redis' own time. */
    MoneyFixture(Duration holdTtl) {
        this(RedisCluster.shared(), holdTtl);
    }

    private MoneyFixture(RedisServers servers, Duration holdTtl) {
        RedisOptions options = RedisSettings.from(name -> java.util.Optional.ofNullable(servers.config().get(name)))
                .toOptions()
                .setMaxPoolSize(64).setMaxPoolWaiting(4096).setMaxWaitingHandlers(4096);
        redis = Redis.createClient(vertx, options);
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(nowMillis.get());
            }
        };
        MoneyConfig config = new MoneyConfig() {
            @Override
            public Duration holdTtl() {
                return holdTtl;
            }

            @Override
            public Duration holdRetention() {
                return Duration.ofHours(24);
            }
        };
        core = new MoneyCore(redis, config, registry, clock);
    }

    /** A fresh account id; ids are spread so consecutive tests use different partitions. */
    static long newAccountId() {
        return NEXT_ACCOUNT.addAndGet(7);
    }

    /** Publishes the account as billing-service does, with the same script. */
    void openAccount(long accountId, long thresholdMicros) {
        LuaScript.load("publish_account").run(redis, List.of(KeySchema.account(accountId)),
                List.of("active", Long.toString(thresholdMicros))).await().atMost(Duration.ofSeconds(10));
    }

    void publishKey(long accountId, long keyId, long rpm, String status) {
        send("HSET", KeySchema.apiKey(accountId, keyId), "status", status, "rpm", Long.toString(rpm),
                "account", Long.toString(accountId));
    }

    Response send(String command, String... args) {
        Request request = Request.cmd(io.vertx.mutiny.redis.client.Command.create(command));
        for (String arg : args) {
            request.arg(arg);
        }
        return redis.send(request).await().atMost(Duration.ofSeconds(10));
    }

    /** Usage-log entries of one account in its partition stream. */
    List<UsageLogEntry> logOf(long accountId) {
        Response entries = send("XRANGE", KeySchema.usageLog(accountId), "-", "+");
        List<UsageLogEntry> out = new ArrayList<>();
        for (Response entry : entries) {
            Response fields = entry.get(1);
            java.util.Map<String, String> map = new java.util.HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                map.put(fields.get(i).toString(), fields.get(i + 1).toString());
            }
            UsageLogEntry parsed = UsageLogEntry.of(entry.get(0).toString(), map);
            if (parsed.accountId() == accountId) {
                out.add(parsed);
            }
        }
        return out;
    }

    /**
     * A counter's value as the whole number it counts (micro-dollars, events). Micrometer keeps a double;
     * this refuses one that is not exactly a whole number instead of rounding it.
     */
    long counted(String name) {
        return java.math.BigDecimal.valueOf(registry.counter(name).count()).longValueExact();
    }

    long balance(long accountId) {
        return Long.parseLong(send("HGET", KeySchema.account(accountId), "balance").toString());
    }

    @Override
    public void close() {
        redis.close();
        vertx.closeAndAwait();
    }
}
