package ai.kiku.api;

import ai.kiku.api.support.ApiTestResource;
import ai.kiku.api.support.FakeBilling.TestKey;
import ai.kiku.testing.RawHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 (pass-through): the chat routes take vision-sized bodies (base64 images, up to
 * {@code kiku.api.body-limits.chat}, 20 MiB), priced by their image ceiling, not their bytes; a larger body
 * is refused with the service's own 400 naming the body, uncharged and never sent to a provider.
 */
@QuarkusTest
@WithTestResource(ApiTestResource.class)
class BodyLimitTest extends ApiTestBase {

    private static final int CHAT_LIMIT = 20 * 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static String vision(int base64Bytes) {
        return "{\"model\":\"stub-model\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"what is in it?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + "A".repeat(base64Bytes)
                + "\",\"detail\":\"high\"}}]}]}";
    }

    @Test
    void shouldPassA15MibVisionBodyAndChargeIt() throws Exception {
        TestKey key = billing.account(1_000_000, 60);

        Response response = as(key).contentType("application/json").body(vision(15 * 1024 * 1024))
                .post("/v1/chat/completions");

        response.then().statusCode(200);
        long cost = Long.parseLong(response.header("X-Kiku-Cost-Micros"));
        assertThat(cost).isEqualTo(1000 + 20 + 4000); // the stub's reported usage, not the image's bytes
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - cost);
        assertThat(lastBody(response.header("X-Kiku-Provider")).length()).isGreaterThan(15 * 1024 * 1024);
    }

    @Test
    void shouldTakeAnImageStringThatFillsTheWholeChatLimit() {
        TestKey key = billing.account(1_000_000, 60);
        String body = vision(0);
        // one base64 string of ~20.97 million characters: longer than Jackson's default string limit
        body = vision(CHAT_LIMIT - body.length());

        as(key).contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(200);

        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000 - 5020);
    }

    @Test
    void shouldRefuseABodyOverTheChatLimitInOpenAisShapeUnchargedAndUnsent() throws Exception {
        TestKey key = billing.account(1_000_000, 60);
        int before = hits("alpha") + hits("beta");

        String answer = post(key, "/v1/chat/completions", CHAT_LIMIT + 1024);

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("content-type: application/json");
        JsonNode error = MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("error");
        assertThat(error.path("param").asText()).isEqualTo("body");
        assertThat(error.path("code").asText()).isEqualTo("body_too_large");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains(Integer.toString(CHAT_LIMIT));
        assertThat(hits("alpha") + hits("beta")).isEqualTo(before);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
        assertThat(billing.usageRecords(key.accountId())).isZero();
    }

    @Test
    void shouldRefuseABodyOverTheChatLimitAsAProblemOnOurShape() throws Exception {
        TestKey key = billing.account(1_000_000, 60);

        String answer = post(key, "/api/v1/proxy/llm", CHAT_LIMIT + 1);

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(answer.toLowerCase(Locale.ROOT)).contains("content-type: application/problem+json");
        JsonNode problem = MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(problem.path("field").asText()).isEqualTo("body");
        assertThat(problem.path("maxBytes").asLong()).isEqualTo(CHAT_LIMIT);
        assertThat(billing.balance(key.accountId())).isEqualTo(1_000_000);
    }

    /**
     * Posts {@code bytes} of JSON over a raw socket and returns the answer's head and body: the gateway answers
     * before it has read an oversize body, and a client library may lose that answer to the reset that follows.
     */
    private static String post(TestKey key, String path, int bytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + key.bearer()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) ' ');
                try {
                    for (int sent = 0; sent < bytes; sent += chunk.length) {
                        out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
                    }
                    out.flush();
                } catch (IOException refused) {
                    // the gateway stopped reading after its answer
                }
            });
            writer.start();
            String answer = RawHttp.read(socket.getInputStream()).text();
            writer.join(30_000);
            return answer;
        }
    }
}
