package ai.kiku.webhook.standin;

import ai.kiku.webhook.service.Catalogue;
import ai.kiku.webhook.service.SignatureVerifier;
import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.webhook.client.PaddleClient;
import ai.kiku.webhook.client.PaddleTransaction;
import ai.kiku.webhook.config.WebhookConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local stand-in for Paddle (only with {@code kiku.local-standins=true} and no Paddle API key): it
 * creates transactions like {@code POST /transactions}, serves their checkout page, and on "Pay"
 * delivers a {@code transaction.completed} signed with a per-process secret to our own webhook, so
 * the whole top-up journey runs on one machine. State lives in memory (a restart forgets unpaid
 * checkouts).
 */
@ApplicationScoped
public class PaddleSimulator {

    private static final String ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A checkout the simulator knows; {@code eventId} is fixed so paying twice is one delivery. */
    public record SimTransaction(String id, List<PaddleTransaction.Item> items, Map<String, String> customData,
                                 Instant createdAt, String eventId, String checkoutUrl) {
    }

    private final boolean active;
    private final String secret;
    private final WebhookConfig webhook;
    private final Catalogue catalogue;
    private final ObjectMapper mapper;
    private final Map<String, SimTransaction> transactions = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public PaddleSimulator(PaddleClient paddle, WebhookConfig webhook, Catalogue catalogue, ObjectMapper mapper) {
        this.active = paddle.simulated();
        this.secret = active ? "pdl_ntfset_local_" + id(32) : null;
        this.webhook = webhook;
        this.catalogue = catalogue;
        this.mapper = mapper;
    }

    public boolean active() {
        return active;
    }

    /** The secret the simulator signs with; the webhook accepts it only while the simulator is active. */
    public Optional<String> signingSecret() {
        return Optional.ofNullable(secret);
    }

    public static String id(int length) {
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    /** {@code POST /transactions}: unknown prices are refused as Paddle does. Empty when a price is unknown. */
    public Optional<SimTransaction> create(PaddleTransaction.Create request) {
        if (request.items() == null || request.items().isEmpty()
                || (request.customData() != null && request.customData().containsValue(null))) {
            return Optional.empty();
        }
        for (PaddleTransaction.Item item : request.items()) {
            if (item == null || item.priceId() == null || item.quantity() < 1 || catalogue.pack(item.priceId()).isEmpty()) {
                return Optional.empty();
            }
        }
        String id = "txn_" + id(26);
        SimTransaction txn = new SimTransaction(id, List.copyOf(request.items()),
                request.customData() == null ? Map.of() : Map.copyOf(request.customData()), Instant.now(),
                "evt_" + id(26), webhook.url() + "/paddle-sim/checkout/" + id);
        transactions.put(id, txn);
        return Optional.of(txn);
    }

    public Optional<SimTransaction> find(String id) {
        return Optional.ofNullable(transactions.get(id));
    }

    /** What the pack costs in the simulator: its credit value, in US cents. */
    public long unitPriceCents(String priceId) {
        return catalogue.pack(priceId).map(CreditPack::creditsMicros).orElse(0L) / 10_000;
    }

    /** Sends the signed transaction.completed to our webhook; returns the webhook's HTTP status. */
    public int pay(SimTransaction txn) throws IOException, InterruptedException {
        byte[] body = mapper.writeValueAsBytes(completedEvent(txn));
        String signature = SignatureVerifier.sign(secret, Instant.now().getEpochSecond(), body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(webhook.url() + "/webhooks/paddle"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .header("Paddle-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).statusCode();
    }

    /** The notification Paddle sends when a checkout is paid (the fields our handler and Paddle docs use). */
    ObjectNode completedEvent(SimTransaction txn) {
        String now = Instant.now().toString();
        ObjectNode data = mapper.createObjectNode();
        data.put("id", txn.id()).put("status", "completed").put("origin", "web").put("currency_code", "USD")
                .put("collection_mode", "automatic").put("customer_id", "ctm_local").put("created_at",
                        txn.createdAt().toString()).put("updated_at", now).put("billed_at", now);
        data.set("custom_data", mapper.valueToTree(txn.customData()));
        ArrayNode items = data.putArray("items");
        ArrayNode lines = mapper.createArrayNode();
        long grandTotal = 0;
        for (PaddleTransaction.Item item : txn.items()) {
            long unit = unitPriceCents(item.priceId());
            long total = unit * item.quantity();
            grandTotal += total;
            ObjectNode entry = items.addObject();
            entry.putObject("price").put("id", item.priceId()).putObject("unit_price")
                    .put("amount", Long.toString(unit)).put("currency_code", "USD");
            entry.put("quantity", item.quantity());
            ObjectNode line = lines.addObject();
            line.put("id", "txnitm_" + id(26)).put("price_id", item.priceId()).put("quantity", item.quantity());
            totals(line.putObject("totals"), total);
            totals(line.putObject("unit_totals"), unit);
        }
        ObjectNode details = data.putObject("details");
        totals(details.putObject("totals"), grandTotal).put("grand_total", Long.toString(grandTotal))
                .put("currency_code", "USD");
        details.set("line_items", lines);
        data.putArray("payments").addObject().put("amount", Long.toString(grandTotal)).put("status", "captured")
                .put("captured_at", now);
        data.putObject("checkout").put("url", txn.checkoutUrl());
        ObjectNode event = mapper.createObjectNode();
        event.put("event_id", txn.eventId()).put("event_type", "transaction.completed").put("occurred_at", now)
                .put("notification_id", "ntf_" + id(26));
        event.set("data", data);
        return event;
    }

    private static ObjectNode totals(ObjectNode node, long total) {
        return node.put("subtotal", Long.toString(total)).put("tax", "0").put("discount", "0")
                .put("total", Long.toString(total));
    }
}
