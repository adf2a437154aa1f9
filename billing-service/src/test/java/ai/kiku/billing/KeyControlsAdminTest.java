package ai.kiku.billing;

import ai.kiku.common.money.KeySpend;
import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/** Operators and the bot set a key's controls; they reach Redis at once, and a rebuild restores the key's spend. */
@QuarkusTest
class KeyControlsAdminTest extends BillingTestBase {

    @Test
    void shouldRefuseInvalidControlsNamingTheField() {
        long account = createAccount();
        long key = createKey(account, 60);
        String path = "/admin/v1/accounts/" + account + "/keys/" + key;
        Map<String, Object> cases = Map.of(
                "spendCapMicros", Map.of("spendCapMicros", -1),
                "monthlySpendCapMicros", Map.of("monthlySpendCapMicros", -5),
                "tokensPerMinute", Map.of("tokensPerMinute", 0),
                "allowedModels", Map.of("allowedModels", List.of("gpt-4o", " ")),
                "clear", Map.of("clear", List.of("balance")),
                "body", Map.of());
        cases.forEach((field, body) -> admin().body(body).patch(path).then().statusCode(400)
                .body("field", equalTo(field)));
        admin().body(Map.of("allowedModels", Collections.nCopies(101, "m"))).patch(path).then().statusCode(400)
                .body("field", equalTo("allowedModels"));
        admin().body(Map.of("allowedModels", List.of("m".repeat(257)))).patch(path).then().statusCode(400)
                .body("field", equalTo("allowedModels"));
        admin().body(Map.of("expiresAt", "+1000000000-01-01T00:00:00Z")).patch(path).then().statusCode(400)
                .body("field", equalTo("expiresAt"));
        admin().body(Map.of("expiresAt", "soon")).patch(path).then().statusCode(400);
        admin().body(Map.of("allowedModels", List.of())).patch(path).then().statusCode(400)
                .body("field", equalTo("allowedModels"));
        admin().body(Map.of("spendCapMicros", 5, "clear", List.of("spendCapMicros"))).patch(path).then()
                .statusCode(400).body("field", equalTo("clear"));
        admin().body(Map.of("spendCapMicros", 5)).patch("/admin/v1/accounts/" + account + "/keys/999999999")
                .then().statusCode(404);
        assertThat(keyField(account, key, "cap")).isEmpty();
    }

    @Test
    void shouldPublishControlsToRedisAtOnceAndClearThem() {
        long account = createAccount();
        long key = createKey(account, 60);
        Instant expires = Instant.parse("2030-01-02T03:04:05Z");
        admin().body(Map.of("spendCapMicros", 5_000_000, "monthlySpendCapMicros", 1_000_000,
                        "allowedModels", List.of("gpt-4o", "local-echo"), "expiresAt", expires.toString(),
                        "tokensPerMinute", 20_000))
                .patch("/admin/v1/accounts/" + account + "/keys/" + key).then().statusCode(200)
                .body("controls.spendCapMicros", equalTo(5_000_000))
                .body("controls.allowedModels", contains("gpt-4o", "local-echo"))
                .body("controls.expiresAt", equalTo(expires.toString()));
        assertThat(keyField(account, key, "cap")).isEqualTo("5000000");
        assertThat(keyField(account, key, "mcap")).isEqualTo("1000000");
        assertThat(keyField(account, key, "models")).isEqualTo("\ngpt-4o\nlocal-echo\n");
        assertThat(keyField(account, key, "exp")).isEqualTo(Long.toString(expires.toEpochMilli()));
        assertThat(keyField(account, key, "tpm")).isEqualTo("20000");
        assertThat(sqlLong("SELECT spend_cap_micros FROM api_keys WHERE account_id = $1 AND key_id = $2", account, key))
                .isEqualTo(5_000_000);

        // the bot manages them through the internal API; unsent controls stay, cleared ones go
        asBot().body(Map.of("tokensPerMinute", 500, "clear", List.of("spendCapMicros", "allowedModels")))
                .patch("/internal/v1/accounts/" + account + "/keys/" + key).then().statusCode(200)
                .body("controls.spendCapMicros", nullValue()).body("controls.tokensPerMinute", equalTo(500))
                .body("controls.monthlySpendCapMicros", equalTo(1_000_000));
        assertThat(keyField(account, key, "cap")).isEmpty();
        assertThat(keyField(account, key, "models")).isEmpty();
        assertThat(keyField(account, key, "tpm")).isEqualTo("500");
        assertThat(keyField(account, key, "status")).isEqualTo("active");
        admin().get("/admin/v1/accounts/" + account + "/keys").then().statusCode(200)
                .body("[0].controls.tokensPerMinute", equalTo(500));
        internal().body(Map.of("tokensPerMinute", 5)).patch("/internal/v1/accounts/" + account + "/keys/" + key)
                .then().statusCode(403);
    }

    @Test
    void shouldRestoreTheKeysSpendCountersOnRebuild() {
        long account = createAccount();
        credit(account, 1_000_000);
        long key = createKey(account, 600);
        long other = createKey(account, 600);
        charge(account, key, 2_000, 1_500);
        charge(account, key, 2_000, 1_000);
        charge(account, other, 2_000, 700);
        String open = "req_" + UUID.randomUUID();
        assertThat(money.reserve(account, key, open, 3_000).await().indefinitely().reserved()).isTrue();
        eventually("usage recorded", Duration.ofSeconds(30), () -> sqlLong(
                "SELECT count(*) FROM usage_records WHERE account_id = $1", account) == 3);

        redis("DEL", KeySchema.keyCounters(account)); // Redis lost the counters (a failover, a restore)
        admin().post("/admin/v1/accounts/" + account + "/rebuild").then().statusCode(200);

        String month = Integer.toString(KeySpend.monthIndex(YearMonth.now(ZoneOffset.UTC)));
        assertThat(counter(account, "s:" + key)).isEqualTo("2500");
        assertThat(counter(account, "mw:" + key)).isEqualTo(month);
        assertThat(counter(account, "m:" + key)).isEqualTo("2500");
        assertThat(counter(account, "h:" + key)).isEqualTo("3000");
        assertThat(counter(account, "s:" + other)).isEqualTo("700");
        assertThat(counter(account, "h:" + other)).isNull();

        // and the counters keep moving from there: the open hold settles into them
        money.settle(account, open, 2_000, new ai.kiku.common.money.Usage(key, "llm-proxy", "local-echo", 1, 1))
                .await().indefinitely();
        assertThat(counter(account, "s:" + key)).isEqualTo("4500");
        assertThat(counter(account, "m:" + key)).isEqualTo("4500");
        assertThat(counter(account, "h:" + key)).isEqualTo("0");
    }

    private String keyField(long account, long key, String field) {
        Response r = redis("HGET", KeySchema.apiKey(account, key), field);
        return r == null ? null : r.toString();
    }

    private String counter(long account, String field) {
        Response r = redis("HGET", KeySchema.keyCounters(account), field);
        return r == null ? null : r.toString();
    }
}
