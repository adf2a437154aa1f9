package ai.kiku.webhook.service;

import ai.kiku.webhook.client.BillingClient;
import ai.kiku.common.contract.InternalRequests;
import ai.kiku.common.contract.LedgerResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Books credits and debits through billing's ledger API. A refusal that retrying cannot fix (unknown
 * account, rejected entry) becomes a {@link HoldException}; anything else (billing down, timeouts,
 * 5xx) propagates so the event is retried, which is safe because billing dedupes on the reference.
 */
@ApplicationScoped
public class Ledger {

    /** billing refuses descriptions over 500 characters; a long line-item list must not hold a payment. */
    static final int MAX_DESCRIPTION = 300;

    private final BillingClient billing;

    public Ledger(@RestClient BillingClient billing) {
        this.billing = billing;
    }

    public LedgerResult book(long accountId, String kind, long amountMicros, String externalRef, String description) {
        String text = description.length() > MAX_DESCRIPTION ? description.substring(0, MAX_DESCRIPTION - 1) + "…"
                : description;
        try {
            return billing.ledger(accountId, new InternalRequests.Ledger(kind, amountMicros, externalRef, text));
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404) {
                throw new HoldException("unknown_account", accountId, "billing has no account " + accountId);
            }
            if (status >= 400 && status < 500 && status != 408 && status != 429 && status != 401 && status != 403) {
                throw new HoldException("billing_rejected", accountId,
                        "billing refused " + kind + " " + externalRef + " with HTTP " + status);
            }
            throw e;
        }
    }
}
