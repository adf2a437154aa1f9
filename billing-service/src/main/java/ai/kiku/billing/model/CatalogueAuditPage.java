package ai.kiku.billing.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/** Catalogue changes, newest first; pass {@code nextBefore} as {@code before} for the next page. */
public record CatalogueAuditPage(List<Entry> entries, Long nextBefore) {

    /** One change: the row before ({@code null} when created) and after. */
    public record Entry(long auditId, Instant changedAt, String changedBy, String entity, String key, String action,
                        JsonNode oldValue, JsonNode newValue) {
    }
}
