package ai.kiku.webhook.service;

import ai.kiku.common.contract.Catalogue.CreditPack;
import ai.kiku.common.contract.Checkout;
import ai.kiku.common.contract.InternalRequests.CreateCheckout;
import ai.kiku.common.error.Problem;
import ai.kiku.common.error.ProblemException;
import ai.kiku.common.money.Micros;
import ai.kiku.webhook.client.BillingClient;
import ai.kiku.webhook.client.PaddleClient;
import ai.kiku.webhook.client.PaddleRejectedException;
import ai.kiku.webhook.client.PaddleTransaction;
import ai.kiku.webhook.config.PaddleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;

/**
 * Creates a Paddle checkout for a credit pack: checks the account and the pack with billing, then
 * creates a Paddle transaction whose {@code custom_data.kiku_account_id} names the account to credit
 * when {@code transaction.completed} arrives.
 */
@ApplicationScoped
public class CheckoutService {

    private static final Logger LOG = Logger.getLogger(CheckoutService.class);
    static final int MAX_QUANTITY = 100;

    private final PaddleClient paddle;
    private final PaddleConfig config;
    private final Catalogue catalogue;
    private final BillingClient billing;

    public CheckoutService(PaddleClient paddle, PaddleConfig config, Catalogue catalogue,
                           @RestClient BillingClient billing) {
        this.paddle = paddle;
        this.config = config;
        this.catalogue = catalogue;
        this.billing = billing;
    }

    /** Checks and creates the checkout of {@code POST /internal/v1/checkouts}. */
    public Checkout create(CreateCheckout request) {
        if (request == null) {
            throw ProblemException.badRequest("body", "a JSON body is required");
        }
        if (request.accountId() == null || request.accountId() <= 0) {
            throw ProblemException.badRequest("accountId", "accountId must be a positive account id");
        }
        if (request.paddlePriceId() == null || request.paddlePriceId().isBlank()) {
            throw ProblemException.badRequest("paddlePriceId", "paddlePriceId is required");
        }
        int quantity = request.quantity() == null ? 1 : request.quantity();
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            throw ProblemException.badRequest("quantity", "quantity must be between 1 and " + MAX_QUANTITY);
        }
        if (!paddle.configured()) {
            throw ProblemException.unavailable("Paddle is not configured: set KIKU_PADDLE_API_KEY"
                    + " (or KIKU_LOCAL_STANDINS=true for the local simulator)");
        }
        CreditPack pack;
        try {
            pack = catalogue.pack(request.paddlePriceId()).orElseThrow(() -> ProblemException.badRequest(
                    "paddlePriceId", "no credit pack is sold under " + request.paddlePriceId()));
            billing.account(request.accountId());
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() == 404) {
                throw ProblemException.notFound("account " + request.accountId());
            }
            throw billingDown(e);
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw billingDown(e);
        }
        PaddleTransaction.Create create = new PaddleTransaction.Create(
                List.of(new PaddleTransaction.Item(request.paddlePriceId(), quantity)),
                Map.of(TransactionHandler.ACCOUNT_KEY, Long.toString(request.accountId())),
                config.checkoutUrl().filter(u -> !u.isBlank()).map(PaddleTransaction.HostedCheckout::new).orElse(null));
        PaddleTransaction.Data created;
        try {
            created = paddle.createTransaction(create);
        } catch (PaddleRejectedException e) {
            LOG.errorf("Paddle refused a checkout for account %d: %s", request.accountId(), e.getMessage());
            throw new ProblemException(new Problem("https://kiku.ai/problems/payment-provider", "Bad gateway", 502,
                    "the payment provider refused the checkout"));
        } catch (RuntimeException e) {
            LOG.warnf("Paddle checkout failed for account %d: %s", request.accountId(), e.toString());
            throw ProblemException.unavailable("the payment provider is unavailable; try again shortly");
        }
        long credits = Math.multiplyExact(pack.creditsMicros(), quantity);
        return new Checkout(created.id(), created.checkout().url(), credits, Micros.format(credits));
    }

    private static ProblemException billingDown(Exception e) {
        LOG.warnf("billing unavailable for a checkout: %s", e.toString());
        return ProblemException.unavailable("billing is unavailable; try again shortly");
    }
}
