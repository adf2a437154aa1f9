package ai.kiku.api.service;

import ai.kiku.api.client.BillingClient;
import ai.kiku.common.contract.UsageRecordQuery;
import ai.kiku.common.error.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Per-request usage records from billing (which owns {@code usage_records}), never cached: a developer
 * reconciling calls wants the rows billing holds now. The query was validated here already
 * ({@link UsageRecordQuery}), so billing refusing it is not the caller's fault.
 */
@ApplicationScoped
public class UsageRecordService {

    private static final Logger LOG = Logger.getLogger(UsageRecordService.class);

    private final BillingClient billing;

    public UsageRecordService(@RestClient BillingClient billing) {
        this.billing = billing;
    }

    /** One page as billing's JSON ({@code UsageRecordPage}). */
    public Uni<String> page(long accountId, UsageRecordQuery q) {
        return billing.usageRecords(accountId, q.keyId(), q.model(), text(q.from()), text(q.to()),
                        q.after() == null ? null : q.after().encode(), q.limit())
                .onFailure().transform(e -> {
                    if (e instanceof WebApplicationException web && web.getResponse().getStatus() == 404) {
                        return ProblemException.notFound("account");
                    }
                    LOG.warnf("usage records from billing failed: %s", e.toString());
                    return ProblemException.unavailable("usage records are temporarily unavailable; try again shortly");
                });
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
