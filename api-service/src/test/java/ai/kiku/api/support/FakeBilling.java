package ai.kiku.api.support;

import ai.kiku.common.contract.ApiKeyFormat;
import ai.kiku.common.contract.Catalogue;
import ai.kiku.common.money.CreditOutcome;
import ai.kiku.common.money.MoneyCore;
import ai.kiku.common.redis.KeySchema;
import ai.kiku.common.redis.LuaScript;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes accounts and keys into the real Redis Cluster exactly as billing-service does (account
 * hash, key hash, key index; balances through MoneyCore.credit), plus billing's price catalogue at
 * {@code kiku:catalogue}: the gateway's tests need billing's Redis state, not billing itself.
 */
public final class FakeBilling {

    private static final ObjectMapper MAPPER = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    /**
     * billing's catalogue as the contract's record: per request 1,000 micros; stub models 1 USD / 2 USD per million
     * tokens in / out; big-model gpt-4o's 2.5 / 10 USD; local-embed 1 USD per million input tokens;
     * claude-test (served by the Anthropic stub) 3 / 15 USD.
     */
    public static final Catalogue PRICES = new Catalogue(
            List.of(new Catalogue.Product("llm-proxy", "LLM proxy", "Chat completions", 1000)),
            List.of(model("local-echo", 0, 0, 4096), model("local-embed", 1_000_000, 0, 1),
                    model("stub-model", 1_000_000, 2_000_000, 4000),
                    model("slow-model", 1_000_000, 2_000_000, 4000), model("circuit-model", 1_000_000, 2_000_000, 4000),
                    model("timeout-model", 1_000_000, 2_000_000, 4000), model("down-model", 1_000_000, 2_000_000, 4000),
                    model("big-model", 2_500_000, 10_000_000, 16384), model("unserved-model", 1, 1, 10),
                    model("shared-model", 1_000_000, 2_000_000, 4000), model("sharedfail-model", 1_000_000, 2_000_000, 4000),
                    model("limited-model", 1_000_000, 2_000_000, 4000), model("alllimited-model", 1_000_000, 2_000_000, 4000),
                    model("claude-test", 3_000_000, 15_000_000, 8192)),
            List.of(new Catalogue.CreditPack("pri_local_5", "$5 of credits", 5_000_000, "USD 5.00")));

    /** {@link #PRICES} as billing writes it to {@code kiku:catalogue} and answers it on /internal/v1/catalogue. */
    public static final String CATALOGUE = json(PRICES);

    private static final AtomicLong IDS = new AtomicLong(100_000 + new SecureRandom().nextInt(1_000_000) * 10L);

    private static final LuaScript PUBLISH_ACCOUNT = LuaScript.load("publish_account");
    private static final LuaScript PUBLISH_KEY = LuaScript.load("publish_key");

    private final Redis redis;
    private final MoneyCore money;

    public FakeBilling(Redis redis, MoneyCore money) {
        this.redis = redis;
        this.money = money;
    }

    /** An account with an active key, as billing publishes it. */
    public record TestKey(long accountId, long keyId, String plaintext) {
        public String bearer() {
            return "Bearer " + plaintext;
        }
    }

    public void publishCatalogue() {
        send(Request.cmd(Command.SET).arg(KeySchema.CATALOGUE).arg(CATALOGUE));
    }

    /** A new active account holding {@code balanceMicros}, with one key allowing {@code rpm} requests a minute. */
    public TestKey account(long balanceMicros, int rpm) {
        long accountId = IDS.incrementAndGet();
        String acct = KeySchema.account(accountId);
        // The very script billing publishes accounts with, so this stand-in cannot drift from it.
        PUBLISH_ACCOUNT.run(redis, List.of(acct), List.of("active", "0")).await().atMost(Duration.ofSeconds(10));
        TestKey key = key(accountId, rpm);
        if (balanceMicros != 0) {
            credit(accountId, balanceMicros);
        }
        return key;
    }

    /** Another active key of an account. */
    public TestKey key(long accountId, int rpm) {
        long keyId = IDS.incrementAndGet();
        TestKey key = new TestKey(accountId, keyId, ApiKeyFormat.generate());
        send(Request.cmd(Command.HSET).arg(KeySchema.apiKey(accountId, keyId)).arg("status").arg("active")
                .arg("rpm").arg(rpm).arg("account").arg(accountId));
        send(Request.cmd(Command.SET).arg(KeySchema.keyIndex(ApiKeyFormat.sha256Hex(key.plaintext()))).arg(accountId + ":" + keyId));
        return key;
    }

    /**
     * Publishes a key's controls with the script billing uses (null: not set): tokens per minute, spend
     * caps in micros, expiry in epoch milliseconds, allowed models (none given: any).
     */
    public void controls(TestKey key, int rpm, Long tpm, Long capMicros, Long monthlyCapMicros, Long expiresAtMs,
                         String... models) {
        String framed = models.length == 0 ? "" : "\n" + String.join("\n", models) + "\n";
        PUBLISH_KEY.run(redis, List.of(KeySchema.apiKey(key.accountId(), key.keyId())), List.of("active",
                Integer.toString(rpm), Long.toString(key.accountId()), text(tpm), text(capMicros),
                text(monthlyCapMicros), text(expiresAtMs), framed)).await().atMost(Duration.ofSeconds(10));
    }

    private static String text(Long value) {
        return value == null ? "" : value.toString();
    }

    /** One of the key's spend counters ({@code h} held, {@code s} spent, {@code m} this month, {@code mw} which month), or null. */
    public String keyCounter(TestKey key, String counter) {
        Response r = send(Request.cmd(Command.HGET).arg(KeySchema.keyCounters(key.accountId()))
                .arg(counter + ":" + key.keyId()));
        return r == null ? null : r.toString();
    }

    /** Sets one of the key's spend counters, as an earlier month or a lost Redis would have left it. */
    public void setKeyCounter(TestKey key, String counter, String value) {
        send(Request.cmd(Command.HSET).arg(KeySchema.keyCounters(key.accountId())).arg(counter + ":" + key.keyId())
                .arg(value));
    }

    /** Revokes a key the way billing does: key hash marked revoked, then the index deleted. */
    public void revoke(TestKey key) {
        send(Request.cmd(Command.HSET).arg(KeySchema.apiKey(key.accountId(), key.keyId())).arg("status").arg("revoked"));
        send(Request.cmd(Command.DEL).arg(KeySchema.keyIndex(ApiKeyFormat.sha256Hex(key.plaintext()))));
    }

    public void suspend(long accountId) {
        send(Request.cmd(Command.HSET).arg(KeySchema.account(accountId)).arg("status").arg("suspended"));
    }

    public void credit(long accountId, long micros) {
        CreditOutcome outcome = money.credit(accountId, "test-" + IDS.incrementAndGet(), micros).await().indefinitely()
                .outcome();
        if (outcome != CreditOutcome.APPLIED) {
            throw new IllegalStateException("credit " + outcome);
        }
    }

    public long balance(long accountId) {
        return Long.parseLong(send(Request.cmd(Command.HGET).arg(KeySchema.account(accountId)).arg("balance")).toString());
    }

    public long held(long accountId) {
        return Long.parseLong(send(Request.cmd(Command.HGET).arg(KeySchema.account(accountId)).arg("held")).toString());
    }

    /** Usage records ({@code type=usage}) of an account in its partition's stream. */
    public long usageRecords(long accountId) {
        return usageCosts(accountId).length;
    }

    /** Costs of the account's usage records, in stream order. */
    public long[] usageCosts(long accountId) {
        java.util.List<Long> costs = new java.util.ArrayList<>();
        for (Response entry : send(Request.cmd(Command.XRANGE).arg(KeySchema.usageLog(accountId)).arg("-").arg("+"))) {
            Response f = entry.get(1);
            if ("usage".equals(field(f, "type")) && Long.toString(accountId).equals(field(f, "acct"))) {
                costs.add(Long.parseLong(field(f, "cost")));
            }
        }
        return costs.stream().mapToLong(Long::longValue).toArray();
    }

    /** A field of the usage record of one request, or null. */
    public String usageField(long accountId, String requestId, String name) {
        for (Response entry : send(Request.cmd(Command.XRANGE).arg(KeySchema.usageLog(accountId)).arg("-").arg("+"))) {
            if (requestId.equals(field(entry.get(1), "req"))) {
                return field(entry.get(1), name);
            }
        }
        return null;
    }

    private static String field(Response fields, String name) {
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(fields.get(i).toString())) {
                return fields.get(i + 1).toString();
            }
        }
        return null;
    }

    private Response send(Request request) {
        return redis.send(request).await().indefinitely();
    }

    private static Catalogue.ModelPrice model(String name, long inPerMillion, long outPerMillion, int maxOutputTokens) {
        return new Catalogue.ModelPrice(name, "llm-proxy", inPerMillion, outPerMillion, maxOutputTokens);
    }

    /** A contract record as billing writes it (dates as ISO-8601 text). */
    public static String json(Object body) {
        try {
            return MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
