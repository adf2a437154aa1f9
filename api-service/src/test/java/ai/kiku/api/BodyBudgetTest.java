package ai.kiku.api;

import ai.kiku.api.http.AnthropicError;
import ai.kiku.api.http.BodyBudget;
import ai.kiku.api.support.ApiTestResource;
import ai.kiku.testing.RawHttp.Answer;
import ai.kiku.api.support.RawUploads.Upload;
import ai.kiku.api.support.FakeBilling.TestKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-instance budget of request-body bytes in flight: uploads that do not fit are refused at once, unread and
 * uncharged, with 503 and Retry-After in the route's error shape; the bytes come back when a request ends, also when
 * its client leaves mid-upload. Here the budget holds two 1.5 MiB uploads, not three.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.SmallBudget.class)
@WithTestResource(ApiTestResource.class)
class BodyBudgetTest extends ApiTestBase {

    private static final int CHAT_LIMIT = 2 * 1024 * 1024;
    private static final long BUDGET = 4 * 1024 * 1024;
    private static final int SIZE = 3 * 512 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A 4 MiB budget, and a 2 MiB chat limit so that it is not raised to the default 20 MiB. */
    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiku.api.body-budget-bytes", Long.toString(BUDGET),
                    "kiku.api.body-limits.chat", Integer.toString(CHAT_LIMIT));
        }
    }

    @Inject
    BodyBudget budget;

    @BeforeEach
    void budgetIsWhole() throws InterruptedException {
        await(() -> budget.inFlight() == 0, "the budget whole before the test");
        assertThat(budget.capacity()).isEqualTo(BUDGET);
    }

    @Test
    void shouldRefuseTheUploadsThatDoNotFitAtOnceUnreadAndUncharged() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        int hitsBefore = hits("alpha") + hits("beta");
        List<Upload> uploads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uploads.add(Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false));
        }

        await(() -> uploads.stream().filter(Upload::answered).count() == 3, "three uploads answered");
        List<Upload> refused = uploads.stream().filter(Upload::answered).toList();
        List<Upload> admitted = uploads.stream().filter(u -> !u.answered()).toList();
        assertThat(budget.inFlight()).isEqualTo(2L * SIZE);
        for (Upload upload : refused) {
            Answer answer = upload.answer();
            assertThat(answer.status()).as(answer.text()).isEqualTo(503);
            assertThat(answer.header("retry-after")).isEqualTo("1");
            assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
            JsonNode error = MAPPER.readTree(answer.body()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("server_error");
            assertThat(error.path("code").asText()).isEqualTo("unavailable");
            assertThat(upload.closedByServer(10_000)).as("the refused upload's connection closed").isTrue();
            upload.close();
        }
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.held(key.accountId())).isZero();
        assertThat(hits("alpha") + hits("beta")).isEqualTo(hitsBefore);

        long charged = 0;
        for (Upload upload : admitted) {
            Answer answer = upload.finish();
            assertThat(answer.status()).as(answer.text()).isEqualTo(200);
            charged += Long.parseLong(answer.header("x-kiku-cost-micros"));
            upload.close();
        }
        await(() -> budget.inFlight() == 0, "the budget whole again");
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - charged);
        assertThat(billing.usageRecords(key.accountId())).isEqualTo(2);
    }

    @Test
    void shouldRefuseInEachRoutesShapeWithoutAKeyAndLetSmallBodiesPass() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        try (Upload first = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false);
             Upload second = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false)) {
            await(() -> budget.inFlight() == 2L * SIZE, "two uploads admitted");

            Answer messages = Upload.start(key.bearer(), AnthropicError.PATH, chat("claude-test"), SIZE, false)
                    .answerAndClose();
            assertThat(messages.status()).as(messages.text()).isEqualTo(503);
            assertThat(messages.header("retry-after")).isEqualTo("1");
            JsonNode anthropic = MAPPER.readTree(messages.body());
            assertThat(anthropic.path("type").asText()).isEqualTo("error");
            assertThat(anthropic.path("error").path("type").asText()).isEqualTo("overloaded_error");

            // a client that writes its whole body before it reads still gets the answer, not a reset
            Upload whole = Upload.start(null, "/api/v1/proxy/llm", chat("stub-model"), SIZE, false);
            whole.sendRest();
            Answer keyless = whole.answerAndClose();
            assertThat(keyless.status()).as(keyless.text()).isEqualTo(503);
            assertThat(keyless.header("retry-after")).isEqualTo("1");
            assertThat(keyless.header("content-type")).startsWith("application/problem+json");
            JsonNode problem = MAPPER.readTree(keyless.body());
            assertThat(problem.path("status").asInt()).isEqualTo(503);
            assertThat(problem.path("type").asText()).endsWith("/unavailable");

            as(key).contentType("application/json").body(chat("stub-model", "small")).post("/v1/chat/completions")
                    .then().statusCode(200);
            assertThat(budget.inFlight()).isEqualTo(2L * SIZE);
        }
        await(() -> budget.inFlight() == 0, "the bytes of both left uploads back");
    }

    @Test
    void shouldGiveTheBytesBackWhenTheClientLeavesMidUpload() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        Upload left = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false);
        await(() -> budget.inFlight() == SIZE, "the upload admitted");

        left.close();

        await(() -> budget.inFlight() == 0, "the left upload's bytes back");
        // both fit again only if none of the left upload's bytes stayed taken
        try (Upload one = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false);
             Upload two = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, false)) {
            await(() -> budget.inFlight() == 2L * SIZE, "two new uploads admitted");
            assertThat(one.answered() || two.answered()).isFalse();
            assertThat(one.finish().status()).isEqualTo(200);
            assertThat(two.finish().status()).isEqualTo(200);
        }
        assertThat(billing.held(key.accountId())).isZero();
    }

    @Test
    void shouldCountAChunkedBodyAtTheRoutesLimitAndGiveItBackWhenItsClientLeaves() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        Upload chunked = Upload.start(key.bearer(), "/v1/chat/completions", chat("stub-model"), SIZE, true);
        await(() -> budget.inFlight() == CHAT_LIMIT, "the chunked upload admitted at the chat limit");

        chunked.close();

        await(() -> budget.inFlight() == 0, "the chunked upload's bytes back");
    }

    @Test
    void shouldHoldTheBytesOfAStreamedCallUntilItsClientLeavesMidStream() throws Exception {
        TestKey key = billing.account(1_000_000, 600);
        Upload stream = Upload.start(key.bearer(), "/v1/chat/completions", streamChat("stub-model", "#drip", true),
                SIZE, false);
        stream.sendRest();
        String head = stream.readUntil("data: {");
        assertThat(head).startsWith("HTTP/1.1 200");
        assertThat(budget.inFlight()).isEqualTo(SIZE);

        // the stream relay takes the response's close handler: the bytes must come back all the same
        stream.close();

        await(() -> budget.inFlight() == 0, "the left stream's bytes back");
        String id = head.substring(head.toLowerCase(Locale.ROOT).indexOf("x-request-id:") + 13).split("\r\n")[0].trim();
        awaitUsage(key.accountId(), id);
        assertThat(billing.held(key.accountId())).isZero();
    }

    /** A chat request for {@code model}, which the upload pads with spaces to its size. */
    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
