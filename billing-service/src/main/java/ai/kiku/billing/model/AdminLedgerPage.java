package ai.kiku.billing.model;

import ai.kiku.common.contract.LedgerEntry;

import java.time.Instant;
import java.util.List;

/**
 * A page of an account's ledger as operators read it: the internal {@link ai.kiku.common.contract.LedgerPage}'s
 * entries plus {@code bookedBy}, who booked an adjustment (kept out of the internal contract the bot reads).
 */
public record AdminLedgerPage(long accountId, List<Entry> entries, Long nextBefore) {

    /** One ledger fact; {@code bookedBy} is the verified operator of an adjustment, else null. */
    public record Entry(long entryId, String kind, long amountMicros, String amount, String externalRef,
                        String description, Instant createdAt, String bookedBy) {

        public static Entry of(LedgerEntry e, String bookedBy) {
            return new Entry(e.entryId(), e.kind(), e.amountMicros(), e.amount(), e.externalRef(), e.description(),
                    e.createdAt(), bookedBy);
        }
    }
}
