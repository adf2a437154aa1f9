package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * nginx replays a POST whose connection failed on another instance, with the same attempt id: the gateway
 * takes that id as the request id, so however often the request arrives it runs and is charged at most once,
 * and nobody but the balancer (which knows the attempt token) can choose a request id.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class BalancerReplayTest extends ApiTestBase {

    private static final String TOKEN = "test-attempt-token";
    private static final long CALL_MICROS = 1000;

    @Test
    void shouldTakeTheBalancersAttemptIdAsTheRequestId() {
        TestKey key = billing.account(5_000_000, 1_000);
        String attempt = attemptId();

        Response response = chat(key, TOKEN + ":" + attempt);

        response.then().statusCode(200).header("X-Request-Id", "req_" + attempt);
        assertThat(billing.usageField(key.accountId(), "req_" + attempt, "cost")).isEqualTo(Long.toString(CALL_MICROS));
    }

    @Test
    void shouldRefuseAReplayOfARequestAnInstanceAlreadyTookAndChargeItOnce() {
        TestKey key = billing.account(5_000_000, 1_000);
        String header = TOKEN + ":" + attemptId();
        long recordsBefore = billing.usageRecords(key.accountId());

        chat(key, header).then().statusCode(200);
        chat(key, header).then().statusCode(409)
                .body("error.message", containsString("not run or charged twice"));

        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - CALL_MICROS);
        assertThat(billing.usageRecords(key.accountId()) - recordsBefore).isEqualTo(1);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldRunOnlyOneOfManyConcurrentAttemptsAtOneRequest() {
        TestKey key = billing.account(5_000_000, 1_000);
        String header = TOKEN + ":" + attemptId();
        long recordsBefore = billing.usageRecords(key.accountId());

        List<CompletableFuture<Integer>> attempts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            attempts.add(CompletableFuture.supplyAsync(() -> chat(key, header).statusCode()));
        }
        List<Integer> statuses = attempts.stream().map(CompletableFuture::join).toList();

        assertThat(statuses).containsOnly(200, 409).filteredOn(s -> s == 200).hasSize(1);
        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000 - CALL_MICROS);
        assertThat(billing.usageRecords(key.accountId()) - recordsBefore).isEqualTo(1);
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldRefuseAnAttemptHeaderThatIsNotTheBalancersAndChargeNothing() {
        TestKey key = billing.account(5_000_000, 1_000);
        String attempt = attemptId();

        for (String forged : List.of(attempt, "wrong-token:" + attempt, TOKEN + ":" + attempt.toUpperCase(),
                TOKEN + ":" + attempt + "0", TOKEN + ":", ":" + attempt, TOKEN + "x:" + attempt)) {
            chat(key, forged).then().statusCode(400)
                    .body("error.type", equalTo("invalid_request_error"))
                    .body("error.param", equalTo("X-Kiku-Attempt"));
        }
        as(key).header("X-Kiku-Attempt", attempt).get("/api/v1/balance").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("X-Kiku-Attempt"));

        assertThat(billing.balance(key.accountId())).isEqualTo(5_000_000);
        assertThat(billing.held(key.accountId())).isZero();
    }

    private static Response chat(TestKey key, String attemptHeader) {
        return as(key).header("X-Kiku-Attempt", attemptHeader).contentType("application/json")
                .body(chat("local-echo", "hello")).post("/v1/chat/completions");
    }

    /** What nginx's $request_id is: 128 random bits in lowercase hex. */
    private static String attemptId() {
        byte[] bits = new byte[16];
        ThreadLocalRandom.current().nextBytes(bits);
        return HexFormat.of().formatHex(bits);
    }
}
