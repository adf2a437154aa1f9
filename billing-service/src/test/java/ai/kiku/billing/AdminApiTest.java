package ai.kiku.billing;

import ai.kiku.common.redis.KeySchema;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class AdminApiTest extends BillingTestBase {

    @Test
    void shouldRefuseAdminCallsWithoutTheAdminToken() {
        long accounts = sqlLong("SELECT count(*) FROM accounts");
        given().contentType(ContentType.JSON).body(Map.of("telegramUserId", 5))
                .post("/admin/v1/accounts").then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body(Map.of("telegramUserId", 5))
                .post("/admin/v1/accounts").then().statusCode(401);
        // The service token does not open the operators' API, nor the other way round.
        given().auth().oauth2(INTERNAL).get("/admin/v1/catalogue").then().statusCode(401);
        given().auth().oauth2(ADMIN).get("/internal/v1/catalogue").then().statusCode(401);
        given().auth().oauth2(ADMIN + "x").get("/admin/v1/catalogue").then().statusCode(401);
        assertThat(sqlLong("SELECT count(*) FROM accounts")).isEqualTo(accounts);
    }

    @Test
    void shouldCreateOneAccountPerTelegramUser() {
        long tg = newTelegramUser();
        long first = admin().body(Map.of("telegramUserId", tg, "displayName", "Ann")).post("/admin/v1/accounts")
                .then().statusCode(200).body("status", equalTo("active")).body("balanceMicros", equalTo(0))
                .body("lowBalanceThresholdMicros", equalTo(1_000_000)).body("defaultRateLimitPerMinute", equalTo(600))
                .extract().jsonPath().getLong("accountId");
        long second = admin().body(Map.of("telegramUserId", tg, "displayName", "Ann again"))
                .post("/admin/v1/accounts").then().statusCode(200).extract().jsonPath().getLong("accountId");
        assertThat(second).isEqualTo(first);
        assertThat(sqlLong("SELECT count(*) FROM telegram_identities WHERE telegram_user_id = $1", tg)).isEqualTo(1);
        assertThat(sqlLong("SELECT count(*) FROM accounts WHERE telegram_user_id = $1", tg)).isEqualTo(1);
        assertThat(redis("HGET", KeySchema.account(first), "status").toString()).isEqualTo("active");
        assertThat(redis("HGET", KeySchema.account(first), "threshold").toLong()).isEqualTo(1_000_000);
    }

    @Test
    void shouldRejectInvalidInputNamingTheFieldAndWriteNothing() {
        long account = createAccount();
        String base = "/admin/v1/accounts/" + account;
        long accounts = sqlLong("SELECT count(*) FROM accounts");

        problem(admin().body("{\"telegramUserId\":\"abc\"}").post("/admin/v1/accounts").then().statusCode(400)
                .extract(), "telegramUserId");
        problem(admin().body(Map.of("telegramUserId", -3)).post("/admin/v1/accounts").then().statusCode(400)
                .extract(), "telegramUserId");
        problem(admin().body(Map.of("telegramUserId", 7, "displayName", "x".repeat(129)))
                .post("/admin/v1/accounts").then().statusCode(400).extract(), "displayName");
        problem(admin().body(Map.of("name", "ci", "rateLimitPerMinute", -1)).post(base + "/keys")
                .then().statusCode(400).extract(), "rateLimitPerMinute");
        problem(admin().body(Map.of("name", " ")).post(base + "/keys").then().statusCode(400).extract(), "name");
        problem(admin().body(Map.of("name", "ci", "colour", "red")).post(base + "/keys").then().statusCode(400)
                .extract(), "colour");
        problem(admin().body("{\"amountMicros\":\"ten\",\"reason\":\"r\",\"idempotencyKey\":\"k\"}")
                .post(base + "/adjustments").then().statusCode(400).extract(), "amountMicros");
        problem(admin().body(Map.of("amountMicros", 1_000_000_000_000_001L, "reason", "r", "idempotencyKey", "k"))
                .post(base + "/adjustments").then().statusCode(400).extract(), "amountMicros");
        problem(admin().body(Map.of("amountMicros", 0, "reason", "r", "idempotencyKey", "k"))
                .post(base + "/adjustments").then().statusCode(400).extract(), "amountMicros");
        // a fraction of a micro-dollar is not an amount: refused, never truncated to 1
        problem(admin().body("{\"amountMicros\":1.5,\"reason\":\"r\",\"idempotencyKey\":\"k\"}")
                .post(base + "/adjustments").then().statusCode(400).extract(), "amountMicros");
        problem(admin().body("{\"amountMicros\":2e6,\"reason\":\"r\",\"idempotencyKey\":\"k\"}")
                .post(base + "/adjustments").then().statusCode(400).extract(), "amountMicros");
        problem(admin().body(Map.of("amountMicros", 5, "reason", "r")).post(base + "/adjustments")
                .then().statusCode(400).extract(), "idempotencyKey");
        problem(admin().body(Map.of("lowBalanceThresholdMicros", -1)).patch(base).then().statusCode(400).extract(),
                "lowBalanceThresholdMicros");
        problem(admin().body(Map.of("status", "frozen")).patch(base).then().statusCode(400).extract(), "status");
        problem(admin().get(base + "/ledger?limit=0").then().statusCode(400).extract(), "limit");
        problem(admin().get(base + "/usage?from=yesterday").then().statusCode(400).extract(), "from");
        admin().body("{not json").post(base + "/adjustments").then().statusCode(400)
                .contentType("application/problem+json");
        problem(admin().body("{\"amountMicros\":5,\"reason\":\"" + "x".repeat(70_000) + "\",\"idempotencyKey\":\"k\"}")
                .post(base + "/adjustments").then().statusCode(400).extract(), "body");
        problem(admin().body(Map.of("amountMicros", 5, "reason", "x".repeat(501), "idempotencyKey", "k"))
                .post(base + "/adjustments").then().statusCode(400).extract(), "reason");

        assertThat(sqlLong("SELECT count(*) FROM accounts")).isEqualTo(accounts);
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE account_id = $1", account)).isZero();
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isZero();
        assertThat(sqlLong("SELECT low_balance_threshold_micros FROM accounts WHERE account_id = $1", account))
                .isEqualTo(1_000_000);
        assertThat(redisBalance(account)).isZero();
    }

    @Test
    void shouldAnswer404ForUnknownAccountOrKey() {
        long account = createAccount();
        admin().get("/admin/v1/accounts/999999999").then().statusCode(404).contentType("application/problem+json");
        admin().body(Map.of("name", "ci")).post("/admin/v1/accounts/999999999/keys").then().statusCode(404);
        admin().body(Map.of("amountMicros", 5, "reason", "r", "idempotencyKey", "k404"))
                .post("/admin/v1/accounts/999999999/adjustments").then().statusCode(404);
        admin().delete("/admin/v1/accounts/" + account + "/keys/999999999").then().statusCode(404);
        admin().get("/admin/v1/accounts/999999999/ledger").then().statusCode(404);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE external_ref = 'adj:k404'")).isZero();
    }

    @Test
    void shouldIssueKeyOnceAndRevokeItImmediately() {
        long account = createAccount();
        credit(account, 1_000_000);
        var created = admin().body(Map.of("name", "ci", "rateLimitPerMinute", 120))
                .post("/admin/v1/accounts/" + account + "/keys").then().statusCode(201)
                .body("status", equalTo("active")).body("rateLimitPerMinute", equalTo(120))
                .body("key", startsWith("kiku_live_")).extract().jsonPath();
        String plaintext = created.getString("key");
        long keyId = created.getLong("keyId");
        assertThat(plaintext).matches("kiku_live_[0-9A-Za-z]{43}");
        assertThat(created.getString("prefix")).isEqualTo(plaintext.substring(0, 14));
        String hash = ai.kiku.common.contract.ApiKeyFormat.sha256Hex(plaintext);
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE account_id = $1 AND key_hash = $2", account, hash))
                .isEqualTo(1);
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE key_hash = $1 OR prefix = $1", plaintext)).isZero();
        assertThat(redis("GET", KeySchema.keyIndex(hash)).toString()).isEqualTo(account + ":" + keyId);
        assertThat(redis("HGET", KeySchema.apiKey(account, keyId), "rpm").toLong()).isEqualTo(120);
        admin().get("/admin/v1/accounts/" + account + "/keys").then().statusCode(200)
                .body("[0].keyId", equalTo((int) keyId)).body("[0].containsKey('key')", equalTo(false));
        charge(account, keyId, 1000, 1000);

        admin().delete("/admin/v1/accounts/" + account + "/keys/" + keyId).then().statusCode(200)
                .body("status", equalTo("revoked"));
        assertThat(redis("GET", KeySchema.keyIndex(hash))).isNull();
        assertThat(redis("HGET", KeySchema.apiKey(account, keyId), "status").toString()).isEqualTo("revoked");
        assertThat(money.reserve(account, keyId, "after-revoke", 1000).await().indefinitely().outcome().name())
                .isEqualTo("KEY_INACTIVE");
        assertThat(notifications(account)).extracting(e -> e.id())
                .contains("key_created:" + keyId, "key_revoked:" + keyId);
    }

    @Test
    void shouldApplyAnAdjustmentOnceUnderTwentyConcurrentRetries() throws Exception {
        long account = createAccount();
        String body = "{\"amountMicros\":2500000,\"reason\":\"goodwill\",\"idempotencyKey\":\"adj-concurrent-"
                + account + "\"}";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Callable<Boolean> call = () -> {
                    start.await();
                    return admin().body(body).post("/admin/v1/accounts/" + account + "/adjustments")
                            .then().statusCode(200).body("balanceMicros", equalTo(2_500_000))
                            .extract().jsonPath().getBoolean("applied");
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            int applied = 0;
            for (Future<Boolean> f : results) {
                applied += f.get() ? 1 : 0;
            }
            assertThat(applied).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isEqualTo(1);
        assertThat(sqlLong("SELECT sum(amount_micros) FROM ledger_entries WHERE account_id = $1", account))
                .isEqualTo(2_500_000);
        assertThat(redisBalance(account)).isEqualTo(2_500_000);
        admin().get("/admin/v1/accounts/" + account).then().statusCode(200)
                .body("balanceMicros", equalTo(2_500_000)).body("balance", equalTo("2.500000"))
                .body("totals.creditsMicros", equalTo(2_500_000));
    }

    @Test
    void shouldConvergeWhenTheRedisCreditWasLostAfterTheLedgerWrite() {
        long account = createAccount();
        // The crash window: ledger row committed, Redis credit never happened.
        pool.preparedQuery("INSERT INTO ledger_entries (account_id, kind, amount_micros, external_ref, description) "
                + "VALUES ($1, 'adjustment', 700000, 'adj:crashed', 'r')")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(account)).await().indefinitely();
        admin().body(Map.of("amountMicros", 700_000, "reason", "r", "idempotencyKey", "crashed"))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200)
                .body("applied", equalTo(false)).body("balanceMicros", equalTo(700_000));
        admin().body(Map.of("amountMicros", 700_000, "reason", "r", "idempotencyKey", "crashed"))
                .post("/admin/v1/accounts/" + account + "/adjustments").then().statusCode(200)
                .body("balanceMicros", equalTo(700_000));
        assertThat(redisBalance(account)).isEqualTo(700_000);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isEqualTo(1);
    }

    @Test
    void shouldPageTheLedgerNewestFirst() {
        long account = createAccount();
        for (int i = 1; i <= 5; i++) {
            credit(account, i * 1000L);
        }
        var page1 = admin().get("/admin/v1/accounts/" + account + "/ledger?limit=2").then().statusCode(200)
                .extract().jsonPath();
        assertThat(page1.getList("entries.amountMicros", Long.class)).containsExactly(5000L, 4000L);
        long next = page1.getLong("nextBefore");
        var page2 = admin().get("/admin/v1/accounts/" + account + "/ledger?limit=2&before=" + next).then()
                .statusCode(200).extract().jsonPath();
        assertThat(page2.getList("entries.amountMicros", Long.class)).containsExactly(3000L, 2000L);
        var page3 = admin().get("/admin/v1/accounts/" + account + "/ledger?limit=2&before="
                + page2.getLong("nextBefore")).then().statusCode(200).extract().jsonPath();
        assertThat(page3.getList("entries.amountMicros", Long.class)).containsExactly(1000L);
        assertThat(page3.getString("nextBefore")).isNull();
    }

    @Test
    void shouldPublishStatusAndThresholdChangesToRedis() {
        long account = createAccount();
        admin().body(Map.of("status", "suspended", "lowBalanceThresholdMicros", 250_000))
                .patch("/admin/v1/accounts/" + account).then().statusCode(200)
                .body("status", equalTo("suspended")).body("lowBalanceThresholdMicros", equalTo(250_000));
        assertThat(redis("HGET", KeySchema.account(account), "status").toString()).isEqualTo("suspended");
        assertThat(redis("HGET", KeySchema.account(account), "threshold").toLong()).isEqualTo(250_000);
    }

    private static void problem(ExtractableResponse<?> response, String field) {
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("field")).isEqualTo(field);
    }
}
