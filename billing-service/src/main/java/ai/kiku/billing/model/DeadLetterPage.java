package ai.kiku.billing.model;

import java.util.List;
import java.util.Map;

/**
 * Usage entries parked in the partitions' dead streams, newest first, for operators: why each was
 * refused and whether its charge was kept in the ledger ({@code ledger}: {@code booked},
 * {@code already} (booked before), {@code none} (account or cost unreadable), {@code refused: <SQLSTATE>}).
 */
public record DeadLetterPage(long total, List<Entry> entries) {

    /** One parked entry with the fields settle wrote and the dead-letter annotations. */
    public record Entry(String stream, String id, String sourceId, String reason, String ledger, Long accountId,
                        String requestId, Long costMicros, Long deadAtMillis, Map<String, String> fields) {
    }
}
