package ai.kiku.billing.repository;

import ai.kiku.billing.model.CatalogueAuditPage;
import io.smallrye.mutiny.Uni;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

/** {@code catalogue_audit}: one row per catalogue change, written in the change's own transaction. */
@ApplicationScoped
public class CatalogueAuditRepository {

    /** A row as read, with the JSON values as text. */
    public record AuditRow(long auditId, java.time.Instant changedAt, String changedBy, String entity, String key,
                      String action, String oldValue, String newValue) {
    }

    private final Transactions tx;

    public CatalogueAuditRepository(Transactions tx) {
        this.tx = tx;
    }

    /** Records a change; joins the caller's transaction. */
    public Uni<Integer> record(String changedBy, String entity, String key, String action, String oldJson,
                               String newJson) {
        return NativeSql.update("INSERT INTO catalogue_audit (audit_id, changed_at, changed_by, entity, entity_key, "
                        + "action, old_value, new_value) VALUES (nextval('catalogue_audit_id_seq'), ?1, ?2, ?3, ?4, ?5, "
                        + "cast(cast(?6 as text) as jsonb), cast(cast(?7 as text) as jsonb))",
                NativeSql.now(), changedBy, entity, key, action, oldJson, newJson);
    }

    /** Newest first, entries with id below {@code before} (null for the first page). */
    public Uni<List<AuditRow>> page(Long before, int limit) {
        return tx.session(() -> NativeSql.list("SELECT audit_id, changed_at, changed_by, entity, entity_key, action, "
                        + "cast(old_value as text), cast(new_value as text) FROM catalogue_audit "
                        + "WHERE audit_id < ?1 ORDER BY audit_id DESC LIMIT ?2",
                        before == null ? Long.MAX_VALUE : before, limit))
                .map(rows -> rows.stream().map(r -> new AuditRow(NativeSql.lng(r[0]), NativeSql.instant(r[1]),
                        (String) r[2], (String) r[3], (String) r[4], (String) r[5], (String) r[6], (String) r[7]))
                        .toList());
    }
}
