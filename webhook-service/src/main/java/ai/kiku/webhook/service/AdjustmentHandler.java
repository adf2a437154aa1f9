package ai.kiku.webhook.service;

import ai.kiku.common.money.Micros;
import ai.kiku.common.contract.LedgerResult;
import ai.kiku.webhook.repository.Inbox;
import ai.kiku.webhook.repository.InboxException;
import ai.kiku.webhook.repository.InboxRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code adjustment.created|updated} → refund, chargeback (debits) and chargeback_reverse (credit
 * back), once approved. What moves is the credits that the adjusted line items granted, read from
 * the processed {@code transaction.completed} of the same transaction:
 * <ul>
 *   <li>item type {@code full}: all credits of that line;</li>
 *   <li>{@code partial} / {@code proration}: {@code floor(lineCredits × amount / lineTotal)}, both
 *       amounts in the charged currency's minor units (so tax is refunded in proportion too), capped
 *       at the line's credits; rounding down leaves at most one micro with the customer;</li>
 *   <li>{@code tax}: nothing (credits were never sold for tax).</li>
 * </ul>
 * The ledger reference is the adjustment id, so created(approved) and updated(approved) of the same
 * adjustment book once.
 */
@ApplicationScoped
public class AdjustmentHandler {

    private static final Set<String> MONEY_ACTIONS = Set.of("refund", "chargeback", "chargeback_reverse");

    private final Inbox inbox;
    private final Ledger ledger;
    private final ObjectMapper mapper;

    public AdjustmentHandler(Inbox inbox, Ledger ledger, ObjectMapper mapper) {
        this.inbox = inbox;
        this.ledger = ledger;
        this.mapper = mapper;
    }

    public Outcome handle(String eventId, JsonNode data) throws InboxException, JsonProcessingException {
        String adjustmentId = Json.text(data, "id");
        String action = Json.text(data, "action");
        String status = Json.text(data, "status");
        String transactionId = Json.text(data, "transaction_id");
        if (!MONEY_ACTIONS.contains(action)) {
            return Outcome.ignored("adjustment action " + action + " does not move credits");
        }
        if (!"approved".equals(status)) {
            return Outcome.ignored("adjustment " + adjustmentId + " is " + status + "; changes nothing until approved");
        }
        if (adjustmentId == null || transactionId == null) {
            throw new HoldException("malformed_event", null, "adjustment without id or transaction_id");
        }
        InboxRow original = original(transactionId);
        JsonNode granted = mapper.readTree(original.outcome());
        Long accountId = original.accountId();
        Map<String, JsonNode> lines = new HashMap<>();
        for (JsonNode line : granted.path("lines")) {
            lines.put(Json.text(line, "itemId"), line);
        }
        long credits = 0;
        for (JsonNode item : data.path("items")) {
            JsonNode line = lines.get(Json.text(item, "item_id"));
            if (line == null) {
                throw new HoldException("unknown_item", accountId, "adjustment " + adjustmentId + " names item "
                        + Json.text(item, "item_id") + " that transaction " + transactionId + " did not credit");
            }
            credits = Math.addExact(credits, share(adjustmentId, item, line, accountId));
        }
        Micros.requireInRange(credits);
        long signed = action.equals("chargeback_reverse") ? credits : -credits;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("adjustmentId", adjustmentId);
        details.put("transactionId", transactionId);
        details.put("action", action);
        details.put("amountMicros", signed);
        details.put("amount", Micros.format(signed));
        if (credits == 0) {
            details.put("applied", false);
            return Outcome.processed(accountId, details);
        }
        LedgerResult result = ledger.book(accountId, action, signed, adjustmentId,
                "Paddle " + action + " " + adjustmentId + " of " + transactionId);
        details.put("applied", result.applied());
        details.put("balanceMicros", result.balanceMicros());
        return Outcome.processed(accountId, details);
    }

    /** The processed payment this adjustment refers to; waited for while it is still on its way. */
    private InboxRow original(String transactionId) throws InboxException {
        List<InboxRow> rows = inbox.findByEntity("transaction.completed", transactionId);
        if (rows.isEmpty()) {
            throw new AwaitingTransactionException("waiting for transaction.completed of " + transactionId
                    + ", not in the inbox yet");
        }
        InboxRow row = rows.get(0);
        return switch (row.status()) {
            case "processed" -> row;
            case "received" -> throw new AwaitingTransactionException("waiting for transaction " + transactionId
                    + " to be credited");
            default -> throw new HoldException("original_not_credited", row.accountId(), "transaction "
                    + transactionId + " was not credited (" + row.status() + "), so there is nothing to adjust");
        };
    }

    private static long share(String adjustmentId, JsonNode item, JsonNode line, Long accountId) {
        long lineCredits = line.path("creditsMicros").asLong();
        String type = Json.text(item, "type");
        if ("full".equals(type)) {
            return lineCredits;
        }
        if ("tax".equals(type)) {
            return 0;
        }
        Long amount = Json.nonNegativeLong(item, "amount");
        Long lineTotal = line.hasNonNull("totalMinor") ? line.get("totalMinor").asLong() : null;
        if (amount == null || lineTotal == null || lineTotal <= 0) {
            throw new HoldException("unproportionable_item", accountId, "adjustment " + adjustmentId
                    + " item of type " + type + " lacks an amount or the line total to prorate against");
        }
        return Proration.share(lineCredits, amount, lineTotal);
    }
}
