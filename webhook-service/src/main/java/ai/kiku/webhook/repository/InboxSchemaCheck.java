package ai.kiku.webhook.repository;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * This service never migrates (billing-service does at start, and the chart's migration Job): until the inbox table
 * with its V20 columns exists, readiness is DOWN and says what is missing and who creates it, instead of the replica
 * taking deliveries that it can only answer with 503.
 */
@Readiness
@ApplicationScoped
public class InboxSchemaCheck implements AsyncHealthCheck {

    static final String NAME = "Inbox schema (paddle_events)";
    static final String MISSING = "paddle_events (with entity_id, account_id, outcome) is not in the database:"
            + " webhook-service does not migrate; start billing-service (it migrates at start) or run the chart's"
            + " migration Job";
    private static final Logger LOG = Logger.getLogger(InboxSchemaCheck.class);
    // the columns of V20, the latest migration this service needs; a simple query, so it works through PgBouncer too
    private static final String PROBE = "SELECT count(*) FROM information_schema.columns"
            + " WHERE table_schema = current_schema() AND table_name = 'paddle_events'"
            + " AND column_name IN ('event_id', 'entity_id', 'account_id', 'outcome')";

    private final Pool pool;
    private volatile boolean present; // a migrated schema stays migrated: no need to look again
    private volatile boolean warned;

    public InboxSchemaCheck(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (present) {
            return Uni.createFrom().item(HealthCheckResponse.up(NAME));
        }
        return pool.query(PROBE).execute().map(rows -> rows.iterator().next().getLong(0) == 4)
                .map(found -> {
                    present = found;
                    if (!found && !warned) {
                        warned = true;
                        LOG.warn(MISSING);
                    }
                    return found ? HealthCheckResponse.up(NAME)
                            : HealthCheckResponse.named(NAME).down().withData("missing", MISSING).build();
                })
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).down()
                        .withData("error", String.valueOf(e.getMessage())).build());
    }
}
