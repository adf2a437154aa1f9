package ai.kiku.webhook.support;

import ai.kiku.webhook.service.SignatureVerifier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.response.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Builds and delivers Paddle notifications the way Paddle does: an envelope, signed over its exact bytes. */
public final class Paddle {

    /** The first of the secrets the test profile configures (a second one tests rotation). */
    public static final String SECRET = "pdl_ntfset_test_primary";
    public static final String ROTATED_SECRET = "pdl_ntfset_test_rotated";
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Paddle() {
    }

    public static String id(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 26);
    }

    public static ObjectNode envelope(String eventId, String eventType, JsonNode data) {
        ObjectNode envelope = MAPPER.createObjectNode();
        envelope.put("event_id", eventId).put("event_type", eventType).put("occurred_at", Instant.now().toString())
                .put("notification_id", id("ntf"));
        envelope.set("data", data);
        return envelope;
    }

    /** A transaction.completed body for our account with (priceId, quantity, lineTotalMinor) lines. */
    public static ObjectNode transaction(String txnId, Long accountId, Object... lines) {
        ObjectNode data = MAPPER.createObjectNode();
        data.put("id", txnId).put("status", "completed").put("currency_code", "USD");
        if (accountId != null) {
            data.putObject("custom_data").put("kiku_account_id", accountId.toString());
        }
        ArrayNode items = data.putArray("items");
        ArrayNode lineItems = data.putObject("details").putArray("line_items");
        for (int i = 0; i < lines.length; i += 3) {
            ObjectNode item = items.addObject();
            item.putObject("price").put("id", (String) lines[i]);
            item.put("quantity", (Integer) lines[i + 1]);
            ObjectNode line = lineItems.addObject();
            line.put("id", txnId.replace("txn_", "txnitm_") + "_" + i / 3).put("price_id", (String) lines[i])
                    .put("quantity", (Integer) lines[i + 1]);
            line.putObject("totals").put("total", lines[i + 2].toString()).put("tax", "0");
        }
        return data;
    }

    public static String itemId(String txnId, int line) {
        return txnId.replace("txn_", "txnitm_") + "_" + line;
    }

    /** An adjustment body; items are (itemId, type, amountMinor) triples. */
    public static ObjectNode adjustment(String adjId, String txnId, String action, String status, Object... items) {
        ObjectNode data = MAPPER.createObjectNode();
        data.put("id", adjId).put("transaction_id", txnId).put("action", action).put("status", status)
                .put("currency_code", "USD");
        ArrayNode list = data.putArray("items");
        for (int i = 0; i < items.length; i += 3) {
            list.addObject().put("id", id("adjitm")).put("item_id", (String) items[i]).put("type", (String) items[i + 1])
                    .put("amount", items[i + 2].toString());
        }
        return data;
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sign(byte[] body) {
        return SignatureVerifier.sign(SECRET, Instant.now().getEpochSecond(), body);
    }

    public static Response deliver(byte[] body, String signature) {
        var request = given().contentType("application/json").body(body);
        if (signature != null) {
            request = request.header("Paddle-Signature", signature);
        }
        return request.when().post("/webhooks/paddle");
    }

    /** Signs with the primary secret and delivers. */
    public static Response deliver(JsonNode envelope) {
        byte[] body = bytes(envelope);
        return deliver(body, sign(body));
    }

    /** {@code ../shared/fixtures/paddle} of the repository root (or /work/shared/fixtures/paddle); empty when absent. */
    public static Optional<Path> fixtures() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw"))) {
                Path candidate = dir.resolve("../shared/fixtures/paddle").normalize();
                if (Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
                break;
            }
        }
        Path fallback = Path.of("/work/shared/fixtures/paddle");
        return Files.isDirectory(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    public static byte[] fixture(Path dir, String name) {
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode fixtureJson(Path dir, String name) {
        try {
            return MAPPER.readTree(new String(fixture(dir, name), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
