package ai.kiku.billing;

import ai.kiku.common.auth.Callers;
import ai.kiku.billing.rest.InternalAccountResource;
import ai.kiku.billing.rest.InternalCatalogueResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Least privilege between services: each caller has its own token and scope on /internal/v1. bot-service
 * manages its users' accounts and keys but never books money; api-service reads (catalogue, usage, keys);
 * only webhook-service books payments, refunds and chargebacks. Outside its scope a caller gets 403, and an
 * unknown token (the old shared one included) 401.
 */
@QuarkusTest
class InternalScopesTest extends BillingTestBase {

    private static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType("application/json");
    }

    private static Map<String, Object> entry(String kind, long amount) {
        return Map.of("kind", kind, "amountMicros", amount, "externalRef", kind + "_" + UUID.randomUUID());
    }

    @Test
    void shouldRefuseTheBotsTokenOnTheLedgerWithNothingBooked() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/ledger";
        for (Map<String, Object> body : new Map[] {entry("payment", 5_000_000), entry("refund", -1_000_000),
                entry("chargeback", -1_000_000), entry("chargeback_reverse", 1_000_000), entry("adjustment", 7)}) {
            asBot().body(body).post(path).then().statusCode(403)
                    .contentType(startsWith("application/problem+json")).body("status", equalTo(403));
        }
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isZero();
        assertThat(redisBalance(account)).isZero();
        assertThat(notifications(account)).isEmpty();
    }

    @Test
    void shouldRefuseTheApiTokenOnAccountManagementWithNothingChanged() {
        long tg = newTelegramUser();
        long account = createAccount();
        long key = createKey(account, 60);
        asApi().body(Map.of("telegramUserId", tg)).post("/internal/v1/accounts").then().statusCode(403)
                .contentType(startsWith("application/problem+json"));
        asApi().get("/internal/v1/accounts/by-telegram/" + tg).then().statusCode(403);
        asApi().get("/internal/v1/accounts/" + account).then().statusCode(403);
        asApi().body(Map.of("name", "stolen")).post("/internal/v1/accounts/" + account + "/keys").then().statusCode(403);
        asApi().delete("/internal/v1/accounts/" + account + "/keys/" + key).then().statusCode(403);
        asApi().body(entry("payment", 5_000_000)).post("/internal/v1/accounts/" + account + "/ledger")
                .then().statusCode(403);
        asApi().get("/internal/v1/accounts/" + account + "/ledger").then().statusCode(403);

        assertThat(sqlLong("SELECT count(*) FROM telegram_identities WHERE telegram_user_id = $1", tg)).isZero();
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE account_id = $1", account)).isEqualTo(1);
        assertThat(sqlLong("SELECT count(*) FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL", account))
                .isEqualTo(1);
        assertThat(sqlLong("SELECT count(*) FROM ledger_entries WHERE account_id = $1", account)).isZero();
        // what api-service does need still works
        asApi().get("/internal/v1/catalogue").then().statusCode(200);
        asApi().get("/internal/v1/accounts/" + account + "/keys").then().statusCode(200).body("size()", equalTo(1));
        asApi().get("/internal/v1/accounts/" + account + "/usage").then().statusCode(200);
    }

    @Test
    void shouldLetTheWebhookTokenBookPaymentsAndRefundsButNotManageAccounts() {
        long account = createAccount();
        String path = "/internal/v1/accounts/" + account + "/ledger";
        as(WEBHOOK_TOKEN).body(entry("payment", 5_000_000)).post(path).then().statusCode(200)
                .body("applied", equalTo(true)).body("balanceMicros", equalTo(5_000_000));
        as(WEBHOOK_TOKEN).body(entry("refund", -2_000_000)).post(path).then().statusCode(200)
                .body("balanceMicros", equalTo(3_000_000));
        as(WEBHOOK_TOKEN).get("/internal/v1/accounts/" + account).then().statusCode(200)
                .body("balanceMicros", equalTo(3_000_000));
        assertThat(redisBalance(account)).isEqualTo(3_000_000);

        as(WEBHOOK_TOKEN).body(Map.of("name", "k")).post("/internal/v1/accounts/" + account + "/keys")
                .then().statusCode(403);
        as(WEBHOOK_TOKEN).body(Map.of("telegramUserId", newTelegramUser())).post("/internal/v1/accounts")
                .then().statusCode(403);
    }

    @Test
    void shouldAnswer401ToUnknownTokensIncludingTheOldSharedOne() {
        for (String token : new String[] {"test-internal-token", ADMIN, BOT_TOKEN + "x", ""}) {
            as(token).get("/internal/v1/catalogue").then().statusCode(401)
                    .contentType(startsWith("application/problem+json"));
        }
        given().get("/internal/v1/catalogue").then().statusCode(401);
    }

    /** The whole map: every internal endpoint × every caller, allowed (any answer but 401/403) or 403. */
    @Test
    void shouldServeEachCallerExactlyItsScope() {
        long account = createAccount();
        long key = createKey(account, 60);
        String acct = "/internal/v1/accounts/" + account;
        record Call(String name, Function<RequestSpecification, Response> send, String... allowed) {
        }
        Supplier<Map<String, Object>> newAccount = () -> Map.of("telegramUserId", newTelegramUser());
        Call[] calls = {
                new Call("GET catalogue", r -> r.get("/internal/v1/catalogue"), "api", "bot", "webhook"),
                new Call("POST accounts", r -> r.body(newAccount.get()).post("/internal/v1/accounts"), "bot"),
                new Call("GET by-telegram", r -> r.get("/internal/v1/accounts/by-telegram/1"), "bot"),
                new Call("GET account", r -> r.get(acct), "bot", "webhook"),
                new Call("POST keys", r -> r.body(Map.of("name", "k")).post(acct + "/keys"), "bot"),
                new Call("GET keys", r -> r.get(acct + "/keys"), "api", "bot"),
                new Call("DELETE key", r -> r.delete(acct + "/keys/" + key), "bot"),
                new Call("POST ledger", r -> r.body(entry("payment", 1)).post(acct + "/ledger"), "webhook"),
                new Call("GET ledger", r -> r.get(acct + "/ledger"), "bot"),
                new Call("GET usage", r -> r.get(acct + "/usage"), "api", "bot"),
        };
        Map<String, String> tokens = Map.of("api", API_TOKEN, "bot", BOT_TOKEN, "webhook", WEBHOOK_TOKEN);
        for (Call call : calls) {
            for (Map.Entry<String, String> caller : tokens.entrySet()) {
                int status = call.send().apply(as(caller.getValue())).statusCode();
                if (Arrays.asList(call.allowed()).contains(caller.getKey())) {
                    assertThat(status).as(caller.getKey() + " on " + call.name()).isNotIn(401, 403).isLessThan(500);
                } else {
                    assertThat(status).as(caller.getKey() + " on " + call.name()).isEqualTo(403);
                }
            }
        }
    }

    /** A new internal endpoint must say who may call it (without {@link Callers} it is closed to all). */
    @Test
    void shouldNameTheCallersOfEveryInternalEndpoint() {
        for (Class<?> resource : new Class<?>[] {InternalAccountResource.class, InternalCatalogueResource.class}) {
            for (Method method : resource.getDeclaredMethods()) {
                boolean endpoint = method.isAnnotationPresent(GET.class) || method.isAnnotationPresent(POST.class)
                        || method.isAnnotationPresent(PUT.class) || method.isAnnotationPresent(DELETE.class);
                if (endpoint) {
                    assertThat(method.getAnnotation(Callers.class)).as(resource.getSimpleName() + "." + method.getName())
                            .isNotNull();
                }
            }
        }
    }
}
