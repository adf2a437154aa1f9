package ai.kiku.webhook.service;

import ai.kiku.common.money.Micros;
import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.common.contract.LedgerResult;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transaction.completed} → one payment credit. The amount comes from the catalogue (credits
 * per unit of the Paddle price × quantity, summed over the line items), never from what was
 * charged, which varies with tax, discounts and currency. The account is the one the checkout put
 * in {@code custom_data.kiku_account_id}. The ledger reference is the transaction id.
 */
@ApplicationScoped
public class TransactionHandler {

    /** The {@code custom_data} key naming the KikuAI account; set by {@code POST /internal/v1/checkouts}. */
    public static final String ACCOUNT_KEY = "kiku_account_id";

    private final Catalogue catalogue;
    private final Ledger ledger;

    public TransactionHandler(Catalogue catalogue, Ledger ledger) {
        this.catalogue = catalogue;
        this.ledger = ledger;
    }

    /** One line of the transaction; {@code itemId} is Paddle's txnitm_ id that adjustments refer to. */
    record Line(String itemId, String priceId, long quantity, Long totalMinor) {
    }

    public Outcome handle(String eventId, JsonNode data) {
        String transactionId = Json.text(data, "id");
        if (transactionId == null) {
            throw new HoldException("malformed_event", null, "transaction.completed without data.id");
        }
        Long accountId = account(data.get("custom_data"));
        if (accountId == null) {
            throw new HoldException("missing_account", null, "transaction " + transactionId
                    + " has no custom_data." + ACCOUNT_KEY + " (not a KikuAI checkout?)");
        }
        List<Line> lines = lines(data);
        if (lines.isEmpty()) {
            throw new HoldException("malformed_event", accountId, "transaction " + transactionId + " has no items");
        }
        long total = 0;
        List<Map<String, Object>> granted = new ArrayList<>();
        StringBuilder description = new StringBuilder("Paddle ").append(transactionId).append(':');
        for (Line line : lines) {
            CreditPack pack = catalogue.pack(line.priceId()).orElseThrow(() -> new HoldException(
                    "unknown_price", accountId, "price " + line.priceId() + " of transaction " + transactionId
                    + " is not a credit pack in the catalogue"));
            long credits;
            try {
                credits = Micros.requireInRange(Math.multiplyExact(pack.creditsMicros(), line.quantity()));
                total = Micros.requireInRange(Math.addExact(total, credits));
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw new HoldException("amount_out_of_range", accountId, "transaction " + transactionId
                        + " would credit more than the maximum amount");
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("itemId", line.itemId());
            entry.put("priceId", line.priceId());
            entry.put("quantity", line.quantity());
            entry.put("creditsMicros", credits);
            entry.put("totalMinor", line.totalMinor());
            granted.add(entry);
            description.append(' ').append(line.quantity()).append(" x ").append(pack.name());
        }
        LedgerResult result = ledger.book(accountId, "payment", total, transactionId, description.toString());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("transactionId", transactionId);
        details.put("creditedMicros", total);
        details.put("credited", Micros.format(total));
        details.put("applied", result.applied());
        details.put("balanceMicros", result.balanceMicros());
        details.put("lines", granted);
        return Outcome.processed(accountId, details);
    }

    /** The account id in custom_data, as a string or a number; null when absent or not a positive id. */
    static Long account(JsonNode customData) {
        Long id = customData == null || !customData.isObject() ? null : Json.nonNegativeLong(customData, ACCOUNT_KEY);
        return id == null || id == 0 ? null : id;
    }

    /** details.line_items (which carry the txnitm_ ids refunds name); items when Paddle sent no details. */
    static List<Line> lines(JsonNode data) {
        List<Line> lines = new ArrayList<>();
        JsonNode details = data.path("details").path("line_items");
        if (details.isArray() && !details.isEmpty()) {
            for (JsonNode item : details) {
                lines.add(new Line(Json.text(item, "id"), Json.text(item, "price_id"), quantity(item),
                        Json.nonNegativeLong(item.get("totals"), "total")));
            }
        } else {
            for (JsonNode item : data.path("items")) {
                String priceId = Json.text(item, "price_id") != null ? Json.text(item, "price_id")
                        : Json.text(item.get("price"), "id");
                lines.add(new Line(null, priceId, quantity(item), null));
            }
        }
        for (Line line : lines) {
            if (line.priceId() == null || line.quantity() < 1) {
                throw new HoldException("malformed_event", null, "a line item lacks a price id or a positive quantity");
            }
        }
        return lines;
    }

    private static long quantity(JsonNode item) {
        Long quantity = Json.nonNegativeLong(item, "quantity");
        return quantity == null ? 0 : quantity;
    }
}
